using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Diffusion.Schedulers;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining:</c> section: how the tiny Stable Diffusion base model is built from the world's
/// renders (VAE first, then UNet with text encoder) and checked. The defaults fit the first <c>pipeline run full</c>
/// on two CPU cores; every value is part of the cached model's recipe.
/// </summary>
public sealed record TinyPretrainingConfig : IValidatableConfig
{
    /// <summary>
    /// Distinct rendered (image, caption) pairs: the VAE trains on them, the denoiser on their latents. All of them are
    /// held in memory while the base model trains, so more pairs cost the first run memory and time; at the default
    /// step budget more pairs, each seen fewer times, did not draw better (docs/lab-notebook.md).
    /// </summary>
    [Range(64, 1_000_000)]
    public int TrainPairs { get; init; } = 8000;

    /// <summary>
    /// Token length of the tokenizer (<c>model_max_length</c>): the world's longest caption needs 28 tokens with
    /// start and end, so 32 holds every caption while the text encoder and cross-attention do less than half
    /// the work of CLIP's 77.
    /// </summary>
    [Range(8, 77)]
    public int TokenLength { get; init; } = 32;

    /// <summary>The sampler the model folder names as its default (<c>scheduler/scheduler_config.json</c>).</summary>
    public string Scheduler { get; init; } = "dpmpp_2m";

    public VaePretrainingOptions Vae { get; init; } = new();

    public DenoiserPretrainingOptions Denoiser { get; init; } = new();

    public QualityGateOptions Gate { get; init; } = new();

    /// <summary>
    /// Cores to train on; 0 uses every core. Training runs one model replica per core, each on its share of every
    /// batch with one torch thread (data parallel), which beats libtorch's own threads on tensors this small; rendering,
    /// encoding and the gate use this many torch threads.
    /// </summary>
    [Range(0, 1024)]
    public int Threads { get; init; }

    public long Seed { get; init; } = 7;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (!SchedulerFactory.IsKnown(Scheduler))
            yield return ("scheduler", $"'{Scheduler}' is not a sampler; choose one of {string.Join(", ", SchedulerFactory.Names)}.");
        if (Vae.BatchSize > TrainPairs) yield return ("vae.batchSize", $"{Vae.BatchSize} is larger than trainPairs ({TrainPairs}).");
        if (Denoiser.BatchSize > TrainPairs) yield return ("denoiser.batchSize", $"{Denoiser.BatchSize} is larger than trainPairs ({TrainPairs}).");
    }
}
