using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining.vae:</c> section: how the tiny AutoencoderKL learns to compress renders. Reconstruction
/// is an L1 loss (sharper edges than L2 on flat-coloured shapes); the KL term only keeps the latents from drifting
/// to huge values, as in Stable Diffusion's VAE, so its weight is tiny.
/// </summary>
public sealed record VaePretrainingOptions
{
    [Range(1, 100_000)]
    public int Steps { get; init; } = 700;

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 32;

    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Warm-up steps before the cosine decay.</summary>
    [Range(0, 100_000)]
    public int WarmupSteps { get; init; } = 20;

    /// <summary>Weight of the KL divergence (summed over latent elements, averaged over the batch).</summary>
    [Range(0.0, 1.0)]
    public double KlWeight { get; init; } = 1e-5;
}
