using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>Settings of a text-to-image run. Defaults follow diffusers' StableDiffusionPipeline.</summary>
public sealed record Txt2ImgOptions
{
    public int Width { get; init; } = 512;
    public int Height { get; init; } = 512;
    public int Steps { get; init; } = 50;

    /// <summary>Classifier-free guidance weight; 1 or less disables guidance (no negative pass).</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>Images per UNet batch. Results do not depend on it: every image has its own noise generator.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>
    /// On the CPU, how many threads sample shares of a batch at once, each with one torch thread; 0 (the default) takes
    /// the calling thread's torch thread count, 1 samples the whole batch on the calling thread. Ignored on CUDA. Results
    /// do not depend on it either (per-image generators again).
    /// </summary>
    public int CpuThreads { get; init; }

    public bool UsesGuidance => GuidanceScale > 1.0;

    /// <param name="downscaleFactor">The VAE's image-to-latent factor (8 for Stable Diffusion).</param>
    public void Validate(int downscaleFactor)
    {
        if (Width <= 0 || Height <= 0 || Width % downscaleFactor != 0 || Height % downscaleFactor != 0)
            throw new UsageException($"Image size {Width}x{Height} must be positive multiples of {downscaleFactor} (the VAE's downscale factor).");
        if (Steps < 1) throw new UsageException($"Steps must be at least 1, got {Steps}.");
        if (BatchSize < 1) throw new UsageException($"Batch size must be at least 1, got {BatchSize}.");
        if (CpuThreads < 0) throw new UsageException($"CPU threads must be 0 (the torch thread count) or more, got {CpuThreads}.");
        if (double.IsNaN(GuidanceScale) || GuidanceScale < 0) throw new UsageException($"Guidance scale must be a non-negative number, got {GuidanceScale}.");
    }
}
