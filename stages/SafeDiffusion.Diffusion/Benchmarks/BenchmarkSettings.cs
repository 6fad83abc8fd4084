using SafeDiffusion.Core.Errors;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>What to measure and how often: <see cref="Warmup"/> untimed runs, then <see cref="Iterations"/> timed ones.</summary>
public sealed record BenchmarkSettings
{
    public required string ModelDirectory { get; init; }
    public int Batch { get; init; } = 1;
    /// <summary>Image side in pixels; latents are this divided by the VAE's downscale factor.</summary>
    public int Size { get; init; } = 512;
    /// <summary>Denoising steps per image (txt2img only).</summary>
    public int Steps { get; init; } = 20;
    public int Warmup { get; init; } = 1;
    public int Iterations { get; init; } = 5;
    public Device Device { get; init; } = CPU;
    public ScalarType DType { get; init; } = ScalarType.Float32;
    /// <summary>Classifier-free guidance (txt2img): above 1 doubles the UNet batch.</summary>
    public double GuidanceScale { get; init; } = 7.5;
    /// <summary>Scheduler for txt2img; null uses the model folder's own.</summary>
    public string? Scheduler { get; init; }

    public void Validate()
    {
        if (Batch < 1) throw new UsageException($"--batch {Batch}: must be at least 1.");
        if (Size < 8) throw new UsageException($"--size {Size}: must be at least 8 pixels.");
        if (Steps < 1) throw new UsageException($"--steps {Steps}: must be at least 1.");
        if (Warmup < 0) throw new UsageException($"--warmup {Warmup}: must be 0 or more.");
        if (Iterations < 1) throw new UsageException($"--iterations {Iterations}: must be at least 1.");
    }
}
