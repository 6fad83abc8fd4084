namespace SafeDiffusion.Training.Benchmarks;

/// <summary>The training benchmark's figures.</summary>
/// <param name="StepsPerSecond">Timed steps divided by their wall time.</param>
/// <param name="MillisecondsPerStep">Median wall time of one step.</param>
/// <param name="PeakResidentBytes">The process's peak resident memory, model loading included: VmHWM at the end, or the highest sample where the kernel's lazily raised VmHWM reads lower.</param>
/// <param name="Samples">Resident memory every few steps: flat when nothing leaks.</param>
public sealed record TrainingBenchmarkResult(
    TrainingBenchmarkSettings Settings,
    double StepsPerSecond,
    double MillisecondsPerStep,
    long PeakResidentBytes,
    long UnetParameters,
    IReadOnlyList<MemorySample> Samples)
{
    /// <summary>Resident memory growth from the first sample to the last.</summary>
    public long ResidentGrowthBytes => Samples.Count < 2 ? 0 : Samples[^1].ResidentBytes - Samples[0].ResidentBytes;
}
