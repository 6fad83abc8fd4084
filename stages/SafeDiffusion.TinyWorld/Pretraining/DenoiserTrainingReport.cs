namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// How UNet + text encoder pretraining ended: the mean epsilon loss over its last tenth of steps, and its time; with
/// representation alignment, its mean loss (1 - cosine similarity) over the same steps; and how many steps were
/// dropped because their loss or gradients were not finite (at most 1% of the steps, else training fails).
/// </summary>
public sealed record DenoiserTrainingReport(int Steps, double FinalLoss, double Seconds, double? FinalAlignmentLoss = null, int SkippedSteps = 0);
