using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Benchmarks;
using SafeDiffusion.Training.Tests.Support;
using Xunit.Abstractions;

namespace SafeDiffusion.Training.Tests.Benchmarks;

public sealed class TrainingBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_benchmark_times_every_step_and_samples_memory_along_the_way()
    {
        LibTorchRuntime.EnsureLoadable();
        var settings = new TrainingBenchmarkSettings { ModelDirectory = TinySd.Sd1, Resolution = 16, Steps = 6, Warmup = 1, SampleEvery = 3 };

        var result = await TrainingBenchmark.RunAsync(settings, output.WriteLine);

        // Figures are printed, not judged: timings on a shared machine say nothing about correctness.
        output.WriteLine($"{result.StepsPerSecond:F2} steps/s, median {result.MillisecondsPerStep:F1} ms, peak RSS {result.PeakResidentBytes / 1048576.0:F0} MiB");
        Assert.Equal([0, 3, 6], result.Samples.Select(s => s.Step));
        Assert.True(result.StepsPerSecond > 0 && result.MillisecondsPerStep > 0);
        Assert.True(result.PeakResidentBytes >= result.Samples.Max(s => s.ResidentBytes));
        Assert.Equal(2_164_452, result.UnetParameters);
    }
}
