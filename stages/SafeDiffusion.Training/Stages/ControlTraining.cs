namespace SafeDiffusion.Training.Stages;

/// <summary>
/// The control arm of <c>run full</c> and <c>run compare</c>: the plain clean fine-tune, a <see cref="SafetyTrainStage"/>
/// whose section is <c>safety-train</c>'s with <see cref="Overrides"/> on top (same steps, rate, batch, seed and data;
/// no safety term, clean rows only). Whatever the safe model loses or keeps against the control is the safety term's
/// doing; against the base model it may be any fine-tune's.
/// </summary>
public static class ControlTraining
{
    /// <summary>The control's stage name, config section and run folder.</summary>
    public const string StageName = "control-train";

    /// <summary>What the control changes in <c>safety-train</c>'s settings (key=value, as <c>--set</c> writes them).</summary>
    public static IReadOnlyList<string> Overrides { get; } = ["method=plain", "rows=clean-only"];
}
