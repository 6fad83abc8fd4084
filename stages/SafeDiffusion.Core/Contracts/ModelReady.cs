namespace SafeDiffusion.Core.Contracts;

/// <summary>
/// Which model a checkpoint is: the untouched base model, the safety-trained one, or the control (the plain clean
/// fine-tune with safety training's steps, rate and data, which separates what the safety term does from what any
/// fine-tune does).
/// </summary>
public enum ModelVariant { Base, Safe, Control }

/// <summary>
/// A diffusers-layout model folder ready to load (unet/ written by training; the frozen components referenced or
/// copied). Message from safety training (and the control's training) to malicious fine-tuning.
/// </summary>
/// <param name="Attacked">True after malicious fine-tuning.</param>
/// <param name="Label">Human-readable name used in reports, e.g. "safe (LT)".</param>
public sealed record ModelReady(ModelVariant Variant, bool Attacked, string ModelDirectory, string Label);

/// <summary>
/// The evaluation matrix's models: {base, safe, control} x {before, after the attack}, and the models the attack
/// saved on its way (<see cref="Checkpoints"/>) for the recovery curves.
/// </summary>
public sealed record ModelMatrix(IReadOnlyList<ModelReady> Models)
{
    /// <summary>
    /// The attack's saved models, per attacked model and step; step 0 is the model before the attack and the step
    /// <see cref="AttackSteps"/> the one the "after" column means. Empty when the matrix carries no attack.
    /// </summary>
    public IReadOnlyList<AttackCheckpoint> Checkpoints { get; init; } = [];

    /// <summary>The attack's protocol point: the step whose model is the "after attack" arm (0 without an attack).</summary>
    public int AttackSteps { get; init; }

    /// <exception cref="InvalidOperationException">The matrix has no such model, or more than one.</exception>
    public ModelReady Get(ModelVariant variant, bool attacked) =>
        Models.Single(m => m.Variant == variant && m.Attacked == attacked);
}
