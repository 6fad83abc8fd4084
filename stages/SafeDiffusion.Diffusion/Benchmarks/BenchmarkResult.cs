namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>A benchmark's outcome: timings in <see cref="Unit"/> and the process's peak memory afterwards.</summary>
/// <param name="Target">unet or txt2img.</param>
/// <param name="Unit">What one timing measures, e.g. "ms per UNet call".</param>
public sealed record BenchmarkResult(string Target, string Unit, TimingStatistics Timing, PeakMemory Memory, BenchmarkSettings Settings);
