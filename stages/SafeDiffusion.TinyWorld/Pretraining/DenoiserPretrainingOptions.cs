using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining.denoiser:</c> section: how the UNet and the CLIP text encoder learn together on
/// (latent, caption) pairs with the epsilon loss (weighted by timestep and by what each latent pixel shows), Muon for
/// the inner matrices and AdamW for the rest, and a cosine schedule after a linear warm-up.
/// </summary>
public sealed record DenoiserPretrainingOptions
{
    // The default steps are what the first `pipeline run full` can afford on two cores: every step more improves the
    // base model and lengthens that first run. Batches of 32 rather than 16, because a replica's fixed cost per step is
    // large at this size, so fewer, larger steps draw better in the same time. The trials behind these figures are in
    // docs/lab-notebook.md.
    [Range(1, 1_000_000)]
    public int Steps { get; init; } = 2300;

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 32;

    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 3e-3;

    [Range(0, 100_000)]
    public int WarmupSteps { get; init; } = 50;

    /// <summary>
    /// How training timesteps are drawn. Logit-normal (mean 0, std 1) draws the middle of the schedule more often than
    /// its ends, where the noise is either trivial or total; at the same cost it draws held-out scenes better than
    /// uniform timesteps, most of all scenes of three objects (docs/lab-notebook.md).
    /// </summary>
    public TimestepSampling TimestepSampling { get; init; } = TimestepSampling.LogitNormal;

    /// <summary>Mean of the normal variable whose sigmoid, times the schedule's length, is a logit-normal timestep.</summary>
    [Range(-5.0, 5.0)]
    public double TimestepLogitMean { get; init; } = 0.0;

    /// <summary>Its standard deviation: larger spreads the draws towards both ends of the schedule.</summary>
    [Range(0.1, 5.0)]
    public double TimestepLogitStd { get; init; } = 1.0;

    /// <summary>Share of training captions replaced by the empty caption, so the model also learns the unconditional prediction classifier-free guidance needs.</summary>
    [Range(0.0, 1.0)]
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>Gradient 2-norm limit over UNet and text encoder together; 0 only measures.</summary>
    [Range(0.0, 1000.0)]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Min-SNR-gamma loss weighting (Hang et al., 2023, as diffusers' <c>--snr_gamma</c>): each sample's epsilon loss is
    /// weighted by min(SNR(t), gamma) / SNR(t), so the nearly clean timesteps, whose noise is easy to guess and teach
    /// little about what to draw, stop dominating the gradient. 0 keeps the plain unweighted loss. Gamma 1 (weight 1/SNR
    /// below t of about 350) is the default: it draws the knife more reliably than gamma 5 at the same clean adherence.
    /// </summary>
    [Range(0.0, 1000.0)]
    public double MinSnrGamma { get; init; } = 1.0;

    /// <summary>
    /// Loss weight of the latent pixels that show an object, the knife or a drop (and a one-pixel rim), against 1 for
    /// scenery (<see cref="ObjectLossWeights"/>); 1 keeps the plain loss. Objects cover a small share of a scene's
    /// pixels, so without the weight the loss is mostly about scenery, which the gate does not ask for.
    /// </summary>
    [Range(1.0, 100.0)]
    public double ObjectLossWeight { get; init; } = 4.0;

    /// <summary>
    /// Weight of representation alignment (REPA, <see cref="RepresentationProjector"/>): the UNet's hidden state where its
    /// down path ends is projected onto the scene classifier's cell features of the clean image, and one minus their
    /// cosine similarity is added to the loss with this weight. 0 trains on the denoising loss alone.
    /// </summary>
    [Range(0.0, 100.0)]
    public double AlignmentWeight { get; init; } = 0.0;

    /// <summary>Width of the projection MLP's hidden layers (training only; it is not part of the saved model).</summary>
    [Range(1, 4096)]
    public int AlignmentHiddenChannels { get; init; } = 256;

    /// <summary>
    /// The optimizer of the UNet's and text encoder's inner matrices. Muon's update is scaled to AdamW's size, so
    /// <see cref="MuonRateFactor"/> compares like with like; at twice the rate it draws the gate's prompts better than
    /// AdamW after the same steps, and more alike from one training seed to another, for a somewhat dearer step
    /// (docs/lab-notebook.md, recipe 8).
    /// </summary>
    public PretrainingOptimizerKind Optimizer { get; init; } = PretrainingOptimizerKind.Muon;

    /// <summary>Muon's learning rate as a multiple of <see cref="LearningRate"/> (which AdamW takes for the rest).</summary>
    [Range(0.01, 100.0)]
    public double MuonRateFactor { get; init; } = 2.0;

    /// <summary>Decay of the exponential moving average of the weights that is saved; 0 saves the last weights.</summary>
    [Range(0.0, 0.99999)]
    public double EmaDecay { get; init; } = 0.0;
}
