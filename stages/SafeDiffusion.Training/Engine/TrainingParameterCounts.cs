namespace SafeDiffusion.Training.Engine;

/// <summary>Parameters of a fine-tuning run: the trained UNet's, and the frozen VAE's and text encoder's together.</summary>
public readonly record struct TrainingParameterCounts(long Unet, long Frozen);
