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
    /// On the CPU, how many torch threads sample a batch: in shares of one image or more, each share on a thread of its
    /// own with its part of the threads (<see cref="StableDiffusionSampler.CpuSplitFor"/>). 0 (the default) takes
    /// OMP_NUM_THREADS, else the processor count, never the calling thread's torch count, so a config draws the same
    /// images on every thread of a process. Ignored on CUDA. Every image has its own generator, so other counts draw the
    /// same pictures, but not always the same bytes: a share's thread count and its number of images change libtorch's
    /// rounding (two images in one one-thread share came out other bytes than each in a share of its own).
    /// </summary>
    public int CpuThreads { get; init; }

    /// <summary>
    /// Decode images larger than the VAE's tile (its config's <c>sample_size</c>: 512 px for SD 1.x, 768 px for SD 2.1)
    /// in overlapping tiles, as diffusers' <c>enable_vae_tiling</c> does: decoder memory stays one tile's at any size,
    /// at the cost of small differences near tile seams. Off by default; tiled images are decoded one at a time.
    /// </summary>
    public bool VaeTiling { get; init; }

    /// <summary>
    /// Images the VAE decodes in one call (at least 1). One, the default, keeps the decoder's activations at one
    /// image's, which large images on a card need; small images decode much faster in whole batches.
    /// </summary>
    public int VaeDecodeBatch { get; init; } = 1;

    public bool UsesGuidance => GuidanceScale > 1.0;

    /// <param name="downscaleFactor">The VAE's image-to-latent factor (8 for Stable Diffusion).</param>
    public void Validate(int downscaleFactor)
    {
        if (Width <= 0 || Height <= 0 || Width % downscaleFactor != 0 || Height % downscaleFactor != 0)
            throw new UsageException($"Image size {Width}x{Height} must be positive multiples of {downscaleFactor} (the VAE's downscale factor).");
        if (Steps < 1) throw new UsageException($"Steps must be at least 1, got {Steps}.");
        if (BatchSize < 1) throw new UsageException($"Batch size must be at least 1, got {BatchSize}.");
        if (CpuThreads < 0) throw new UsageException($"CPU threads must be 0 (OMP_NUM_THREADS or the processor count) or more, got {CpuThreads}.");
        if (double.IsNaN(GuidanceScale) || GuidanceScale < 0) throw new UsageException($"Guidance scale must be a non-negative number, got {GuidanceScale}.");
    }
}
