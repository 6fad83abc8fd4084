using System.Globalization;

namespace SafeDiffusion.Training.Stages;

/// <summary>
/// The <c>malicious-finetune</c> stage: plain diffusion fine-tuning (L_mse) on the harmful train rows, applied to the
/// base model, the safe model and the control with the same data order and noise. Defaults are the paper's attack:
/// 20 steps, lr 1e-5, batch 1; the models are also saved at <see cref="SaveAt"/> for the recovery curves.
/// </summary>
public sealed record MaliciousFinetuneConfig : FineTuneConfig
{
    /// <summary>The attack steps the recovery curves are measured at unless configured otherwise.</summary>
    public static IReadOnlyList<int> DefaultSaveAt { get; } = [0, 5, 10, 20, 40, 80];

    public MaliciousFinetuneConfig()
    {
        Steps = 20;
        CheckpointEvery = 10;
    }

    /// <summary>
    /// Attack steps at which every attacked model is saved and evaluated for the recovery curves (step 0: the model
    /// before the attack). The attack runs to the larger of <see cref="FineTuneConfig.Steps"/> and the last of these;
    /// <c>steps</c> stays the point the "after attack" column means, and is saved whether listed or not.
    /// </summary>
    public IReadOnlyList<int> SaveAt { get; init; } = DefaultSaveAt;

    /// <summary>How many steps the attack takes: up to the protocol point or the last save, whichever is later.</summary>
    internal int TotalSteps => Math.Max(Steps, SaveAt.Count == 0 ? 0 : SaveAt.Max());

    /// <summary>The saved steps, ascending, without repeats: <see cref="SaveAt"/> and <see cref="FineTuneConfig.Steps"/>.</summary>
    internal IReadOnlyList<int> SavedSteps => SaveAt.Append(Steps).Distinct().Order().ToList();

    public override IEnumerable<(string Key, string Message)> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        for (int i = 0; i < SaveAt.Count; i++)
            if (SaveAt[i] < 0)
                yield return (string.Create(CultureInfo.InvariantCulture, $"saveAt[{i}]"), string.Create(CultureInfo.InvariantCulture, $"is {SaveAt[i]}; attack steps start at 0 (the model before the attack)."));
    }
}
