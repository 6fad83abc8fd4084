using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining.vae:</c> section: how the tiny AutoencoderKL learns to compress renders. Reconstruction
/// is an L1 loss (sharper edges than L2 on flat-coloured shapes); the KL term only keeps the latents from drifting
/// to huge values, as in Stable Diffusion's VAE, so its weight is tiny (see <see cref="KlWeight"/>).
/// </summary>
public sealed record VaePretrainingOptions
{
    // 700 steps of 32 with Muon (below) for the VAE with blocks of 32 and 32 (configs/tiny-models/vae.json): held-out
    // clean scenes keep every shape and colour through it in 96% (two objects) and 90% (three) against 93% and 84%
    // after AdamW's 1,100 steps, L1 0.021 against 0.029, in about three quarters of the time. AdamW's 1,100 steps in
    // turn kept more than the 650 of the earlier blocks of 32 and 64 (84% against 74% for three objects), and fewer
    // steps of that VAE cost the base model (550: 44% of clean scenes right at its gate against 56%).
    [Range(1, 100_000)]
    public int Steps { get; init; } = 700;

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 32;

    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Warm-up steps before the cosine decay.</summary>
    [Range(0, 100_000)]
    public int WarmupSteps { get; init; } = 20;

    /// <summary>
    /// Weight of the KL divergence (summed over latent elements, averaged over the batch). Stable Diffusion's VAE
    /// weighs it 1e-6 against a reconstruction loss summed over an image's pixels; ours is a mean over the pixels
    /// (3,072 at 32x32), so the equivalent is about 3e-10. At 1e-5 the KL term was 15 % of the loss and pushed the
    /// posterior noise up until the decoder learned to blur: held-out reconstructions kept every shape and colour
    /// in 82 % of scenes, against 91 % at 1e-8 (same steps).
    /// </summary>
    [Range(0.0, 1.0)]
    public double KlWeight { get; init; } = 1e-8;

    /// <summary>
    /// Starting log-variance of the posterior (the bias of <c>quant_conv</c>'s log-variance half). A fresh encoder
    /// starts near 0, std 1: decoding samples that noisy teaches the decoder to blur away the small shapes the world
    /// is about, and a few hundred CPU steps do not shrink it. Starting small keeps samples close to means from the
    /// first step, as a trained Stable Diffusion VAE's are; null keeps the fresh initialisation.
    /// </summary>
    [Range(-30.0, 0.0)]
    public double? InitialLogVariance { get; init; } = -8.0;

    /// <summary>The optimizer of the encoder's and decoder's inner convolutions (see <see cref="Steps"/>).</summary>
    public PretrainingOptimizerKind Optimizer { get; init; } = PretrainingOptimizerKind.Muon;

    /// <summary>Muon's learning rate as a multiple of <see cref="LearningRate"/> (which AdamW takes for the rest).</summary>
    [Range(0.01, 100.0)]
    public double MuonRateFactor { get; init; } = 2.0;
}
