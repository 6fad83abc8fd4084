using System.Diagnostics;
using SafeDiffusion.Core.Diagnostics;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;

namespace SafeDiffusion.Training.Benchmarks;

/// <summary>
/// Training speed and memory: the full training step (VAE encode, text encoder, UNet forward and backward, the
/// objective with centres, clipping, AdamW) on synthetic images at a given size, timed per step, with resident
/// memory sampled along the way to show it stays flat (<c>pipeline bench train</c>).
/// </summary>
public static class TrainingBenchmark
{
    public static TrainingBenchmarkResult Run(TrainingBenchmarkSettings settings, Action<string>? log = null, CancellationToken ct = default) =>
        RunAsync(settings, log, ct).GetAwaiter().GetResult();

    public static async Task<TrainingBenchmarkResult> RunAsync(TrainingBenchmarkSettings settings, Action<string>? log = null, CancellationToken ct = default)
    {
        settings.Validate();
        LibTorchRuntime.EnsureLoadable();
        using var model = DiffusionTrainingModel.Load(settings.ModelDirectory, settings.Device ?? TorchSharp.torch.CPU, settings.Precision);
        var trainerSettings = new TrainerSettings { Steps = settings.Warmup + settings.Steps, Seed = 1 };
        using var trainer = new DiffusionTrainer(model, trainerSettings, new ObjectiveSettings { Method = settings.Method });
        var rows = new SyntheticTrainingRows(16, settings.Resolution, settings.Resolution, seed: 1);
        var options = new TrainingDataOptions { Image = new ImagePreprocessing(settings.Resolution), BatchSize = settings.Batch, Seed = 1 };
        await using var data = TrainingDataSource.Start(rows, options, model.Tokenizer, DataPosition.Start, ct);

        for (int i = 0; i < settings.Warmup; i++) await trainer.StepAsync(data, ct).ConfigureAwait(false);
        var samples = new List<MemorySample> { new(0, ProcessMemory.ResidentBytes()) };
        var times = new List<double>(settings.Steps);
        var total = Stopwatch.StartNew();
        for (int i = 1; i <= settings.Steps; i++)
        {
            var batches = await trainer.NextBatchesAsync(data, ct).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            trainer.Step(batches);
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (i % settings.SampleEvery == 0 || i == settings.Steps)
            {
                var sample = new MemorySample(i, ProcessMemory.ResidentBytes());
                samples.Add(sample);
                log?.Invoke($"step {i}: {times.Skip(Math.Max(0, i - settings.SampleEvery)).Average():F1} ms/step, RSS {sample.ResidentBytes / 1048576.0:F1} MiB");
            }
        }
        double seconds = total.Elapsed.TotalSeconds;
        times.Sort();
        // The kernel raises VmHWM lazily (memory the allocator hands back with madvise never passes through it, and
        // recent kernels count RSS per CPU), so it can read below an RSS this loop saw: the peak is the larger of the two.
        long peak = Math.Max(ProcessMemory.PeakResidentBytes(), samples.Max(s => s.ResidentBytes));
        return new TrainingBenchmarkResult(settings, settings.Steps / seconds, times[times.Count / 2], peak,
            model.UnetParameterCount, samples);
    }
}
