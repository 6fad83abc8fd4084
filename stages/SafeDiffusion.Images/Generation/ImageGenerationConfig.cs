using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Images.Generation;

/// <summary>The <c>images</c> stage's settings: which model, how each image is sampled, how rows are stored.</summary>
public sealed record ImageGenerationConfig : IValidatableConfig
{
    /// <summary>Name of a model under <c>models:</c> (a diffusers folder).</summary>
    public string Model { get; init; } = "base";

    [Range(1, 1000)] public int ImagesPerPrompt { get; init; } = 1;
    [Range(8, 4096)] public int Width { get; init; } = 512;
    [Range(8, 4096)] public int Height { get; init; } = 512;
    [Range(1, 1000)] public int Steps { get; init; } = 30;
    [Range(0.0, 100.0)] public double Guidance { get; init; } = 7.5;

    /// <summary>pndm, ddim, ddpm, euler, euler-a, dpmpp-2m, or empty for the model folder's own scheduler.</summary>
    public string Scheduler { get; init; } = "";

    public string NegativePrompt { get; init; } = "";

    /// <summary>Images per model call on one device.</summary>
    [Range(1, 512)] public int BatchSize { get; init; } = 4;

    /// <summary>
    /// Decode images larger than the VAE's tile (512 px for SD 1.x, 768 px for SD 2.1) in overlapping tiles, as
    /// diffusers' <c>enable_vae_tiling</c>: for 1024 px and up on a small card. Tiled images are decoded one at a time.
    /// </summary>
    public bool VaeTiling { get; init; }

    /// <summary>
    /// Images the VAE decodes in one call. One, the default, keeps the decoder's activations at one image's (what SD at
    /// 512-768 px on a 24 GB card needs); small images such as the tiny world's decode far faster in whole batches.
    /// </summary>
    [Range(1, 512)] public int VaeDecodeBatch { get; init; } = 1;

    /// <summary>Model replicas, one per leased device; 0 means one per GPU in `devices:`, or one on the CPU.</summary>
    [Range(0, 64)] public int Replicas { get; init; }

    /// <summary>Share of prompts whose images go to the holdout split (by a stable hash of the prompt id).</summary>
    [Range(0.0, 1.0)] public double HoldoutFraction { get; init; } = 0.1;

    /// <summary>Stop after this many prompts (0: all). For smoke runs.</summary>
    [Range(0, int.MaxValue)] public int MaxPrompts { get; init; }

    /// <summary>Parallel PNG encoders; 0 means one per core.</summary>
    [Range(0, 256)] public int EncodeParallelism { get; init; }

    [Range(1, 100000)] public int RowGroupRows { get; init; } = 64;
    [Range(1, 10000000)] public int RowsPerPart { get; init; } = 2048;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (Scheduler.Length > 0 && !Diffusion.Schedulers.SchedulerFactory.Names.Contains(Scheduler.Replace('-', '_')))
            yield return ("scheduler", $"'{Scheduler}' is not a scheduler; use one of {string.Join(", ", Diffusion.Schedulers.SchedulerFactory.Names.Select(n => n.Replace('_', '-')))} or leave it empty.");
    }
}
