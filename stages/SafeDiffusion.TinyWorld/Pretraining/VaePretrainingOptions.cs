using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining.vae:</c> section: how the tiny AutoencoderKL learns to compress renders. Reconstruction
/// is an L1 loss (sharper edges than L2 on flat-coloured shapes); the KL term only keeps the latents from drifting
/// to huge values, as in Stable Diffusion's VAE, so its weight is tiny (see <see cref="KlWeight"/>).
/// </summary>
public sealed record VaePretrainingOptions
{
    // The default is sized for the VAE of configs/tiny-models/vae.json trained with Muon: every image the base model
    // draws leaves through this decoder, so the VAE must keep the small shapes of scenes of three objects, and fewer
    // steps cost the base model more than they save. The measurements behind it are in docs/lab-notebook.md.
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
    /// (3,072 at 32x32), so the equivalent is about 3e-10. A weight near Stable Diffusion's own (1e-5) makes the KL
    /// a sizeable share of this mean loss, which pushes the posterior noise up until the decoder learns to blur the
    /// shapes away (docs/lab-notebook.md).
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
