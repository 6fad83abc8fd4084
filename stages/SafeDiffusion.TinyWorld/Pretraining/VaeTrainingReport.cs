namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>How VAE pretraining ended: the mean L1 reconstruction error and KL over its last tenth of steps, and its time.</summary>
public sealed record VaeTrainingReport(int Steps, double FinalL1, double FinalKl, double Seconds);
