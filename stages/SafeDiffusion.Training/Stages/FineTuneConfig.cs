using SafeDiffusion.Images.Codecs;
using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Checkpoints;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Optimization;

namespace SafeDiffusion.Training.Stages;

/// <summary>Settings shared by the stages that fine-tune a UNet (safety training and malicious fine-tuning).</summary>
public abstract record FineTuneConfig : IValidatableConfig
{
    /// <summary>The base model's name under <c>models:</c>.</summary>
    [Required]
    public string Model { get; init; } = "base";

    /// <summary>Optimizer steps.</summary>
    [Range(1, 10_000_000)]
    public int Steps { get; init; } = 200;

    [Range(1e-12, 1.0)]
    public double LearningRate { get; init; } = 1e-5;

    [Range(1, 4096)]
    public int BatchSize { get; init; } = 1;

    /// <summary>Batches per optimizer step.</summary>
    [Range(1, 4096)]
    public int GradientAccumulation { get; init; } = 1;

    public LearningRateScheduleKind LrSchedule { get; init; } = LearningRateScheduleKind.Constant;

    /// <summary>Steps of linear warm-up from 0 (for either schedule).</summary>
    [Range(0, 10_000_000)]
    public int WarmupSteps { get; init; }

    [Range(0.0, 0.999999)]
    public double AdamBeta1 { get; init; } = 0.9;

    [Range(0.0, 0.999999999)]
    public double AdamBeta2 { get; init; } = 0.999;

    [Range(0.0, 1.0)]
    public double AdamEpsilon { get; init; } = 1e-8;

    [Range(0.0, 10.0)]
    public double AdamWeightDecay { get; init; } = 1e-2;

    /// <summary>Gradient 2-norm clipping; 0 turns it off.</summary>
    [Range(0.0, 1e9)]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Training image side in pixels; null uses the model's own (UNet sample size times the VAE factor).</summary>
    [Range(8, 8192)]
    public int? Resolution { get; init; }

    /// <summary>
    /// Share of rows trained on the empty prompt instead of their own. Sampling uses classifier-free guidance, which
    /// reads the unconditional prediction; a fine-tune that never sees the empty prompt leaves that prediction as the
    /// base model had it, so guidance would push away from a stale baseline. The default is Stable Diffusion's (and
    /// the tiny world's pretraining) 0.1; 0 turns it off, as diffusers' train_text_to_image does by default.
    /// </summary>
    [Range(0.0, 1.0)]
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>
    /// Largest width and height, in pixels, of a training image (the pixel count is capped at its square); a larger
    /// one is refused with an error naming its row before it is decoded. Raise it for datasets of large images.
    /// </summary>
    [Range(16, 65536)]
    public int MaxImageSide { get; init; } = ImageDecodeLimits.DefaultSide;

    public bool CenterCrop { get; init; } = true;

    public bool RandomFlip { get; init; } = true;

    /// <summary>auto: bf16 mixed precision on CUDA, float32 on the CPU.</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Auto;

    /// <summary>
    /// Recompute the UNet's blocks in the backward pass instead of keeping their activations: activation memory falls
    /// several-fold for about a third more compute per step, and the gradients are the same up to float rounding. Needed
    /// to train SD 2.1 at 768 px on a 24 GB card; off by default (the tiny world does not need it).
    /// </summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Save the resumable state every this many steps (0: never; a killed run then starts over).</summary>
    [Range(0, 10_000_000)]
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>How the written model folder gets the components training did not change.</summary>
    public FrozenComponentMode FrozenComponents { get; init; } = FrozenComponentMode.HardLink;

    /// <summary>
    /// Rows held for the per-epoch shuffle. A dataset this small or smaller is shuffled uniformly and reproducibly (its
    /// order depends only on the seed); a larger one is shuffled within this reach and its order also follows the
    /// stored order, which parallel image generation does not fix: raise it to the dataset's size for exact reruns.
    /// </summary>
    [Range(0, 1_000_000)]
    public int ShuffleBuffer { get; init; } = 512;

    /// <summary>Batches decoded ahead of the trainer.</summary>
    [Range(1, 1024)]
    public int Prefetch { get; init; } = 4;

    /// <summary>Threads decoding images; 0 picks half the cores.</summary>
    [Range(0, 256)]
    public int DataWorkers { get; init; }

    /// <summary>Root seed of the data order, augmentation, noise, timesteps and centres; null derives it from the run's seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Device memory to lease; null estimates it from the UNet's parameter count, the resolution and the batch size.</summary>
    public ByteSize? Memory { get; init; }

    /// <summary>
    /// How a fine-tune with root seed <paramref name="seed"/> turns rows into batches at <paramref name="resolution"/>
    /// pixels: these settings' preprocessing, batch and data workers, augmentation drawn from the seed's "augment" stream.
    /// </summary>
    internal TrainingDataOptions TrainingData(int resolution, long seed) => new()
    {
        Image = new ImagePreprocessing(resolution, CenterCrop, RandomFlip),
        BatchSize = BatchSize,
        CaptionDropout = CaptionDropout,
        ImageLimits = ImageDecodeLimits.Square(MaxImageSide),
        Prefetch = Prefetch,
        Workers = DataWorkers,
        Seed = SeedDerivation.Derive(seed, "augment"),
    };

    internal TrainerSettings Trainer(long seed) => new()
    {
        Steps = Steps,
        LearningRate = LearningRate,
        Schedule = LrSchedule,
        WarmupSteps = WarmupSteps,
        Adam = new AdamWSettings { Beta1 = AdamBeta1, Beta2 = AdamBeta2, Epsilon = AdamEpsilon, WeightDecay = AdamWeightDecay },
        GradientAccumulation = GradientAccumulation,
        MaxGradNorm = MaxGradNorm,
        Seed = seed,
    };

    public virtual IEnumerable<(string Key, string Message)> Validate()
    {
        if (WarmupSteps > Steps) yield return ("warmupSteps", $"is {WarmupSteps}, more than the {Steps} steps of training.");
        // Latents are the image divided by the VAE's factor (8 for Stable Diffusion) and halved again by each UNet level.
        if (Resolution is { } r && r % 8 != 0) yield return ("resolution", $"is {r}; use a multiple of 8 (e.g. {Math.Max(8, r / 8 * 8)}).");
    }
}
