using SafeDiffusion.Core.Errors;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using TorchSharp;

namespace SafeDiffusion.Training.Benchmarks;

/// <summary>What the training benchmark runs: a model, image size, batch, steps (after untimed warm-up steps) and method.</summary>
public sealed record TrainingBenchmarkSettings
{
    public required string ModelDirectory { get; init; }
    public int Resolution { get; init; } = 64;
    public int Batch { get; init; } = 1;
    /// <summary>Timed optimizer steps.</summary>
    public int Steps { get; init; } = 200;
    /// <summary>Untimed steps first (allocator and caches warm up).</summary>
    public int Warmup { get; init; } = 5;
    /// <summary>Resident memory is sampled every this many steps.</summary>
    public int SampleEvery { get; init; } = 20;
    public SafetyMethod Method { get; init; } = SafetyMethod.Lt;
    /// <summary>Null: the CPU. (No default instance here: touching torch before LibTorchRuntime.EnsureLoadable fails on Debian 12.)</summary>
    public torch.Device? Device { get; init; }
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Auto;

    public void Validate()
    {
        if (Resolution < 8) throw new UsageException($"--size {Resolution}: must be at least 8 pixels.");
        if (Batch < 1) throw new UsageException($"--batch {Batch}: must be at least 1.");
        if (Steps < 1) throw new UsageException($"--steps {Steps}: must be at least 1.");
        if (Warmup < 0) throw new UsageException($"--warmup {Warmup}: must be 0 or more.");
        if (SampleEvery < 1) throw new UsageException($"sample interval {SampleEvery}: must be at least 1.");
    }
}
