using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining.denoiser:</c> section: how the UNet and the CLIP text encoder learn together on
/// (latent, caption) pairs with the plain epsilon loss, AdamW and a cosine schedule after a linear warm-up.
/// </summary>
public sealed record DenoiserPretrainingOptions
{
    [Range(1, 1_000_000)]
    public int Steps { get; init; } = 2000;

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 32;

    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 1e-3;

    [Range(0, 100_000)]
    public int WarmupSteps { get; init; } = 50;

    /// <summary>Share of training captions replaced by the empty caption, so the model also learns the unconditional prediction classifier-free guidance needs.</summary>
    [Range(0.0, 1.0)]
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>Gradient 2-norm limit over UNet and text encoder together; 0 only measures.</summary>
    [Range(0.0, 1000.0)]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Decay of the exponential moving average of the weights that is saved; 0 saves the last weights.</summary>
    [Range(0.0, 0.99999)]
    public double EmaDecay { get; init; } = 0.0;
}
