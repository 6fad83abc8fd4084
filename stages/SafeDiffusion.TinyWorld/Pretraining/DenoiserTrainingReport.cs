namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>How UNet + text encoder pretraining ended: the mean epsilon loss over its last tenth of steps, and its time.</summary>
public sealed record DenoiserTrainingReport(int Steps, double FinalLoss, double Seconds);
