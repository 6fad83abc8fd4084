using SafeDiffusion.Core.Diagnostics;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using SafeDiffusion.Training.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Engine;

[Collection(MemoryMeasurementCollection.Name)]
public sealed class TrainingMemoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("training-memory");

    public void Dispose() => _dir.Dispose();

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Memory_stays_flat_over_many_steps()
    {
        // Every batch runs in its own dispose scope; if tensors leaked, each step would add the UNet's activations.
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 3);
        LibTorchRuntime.EnsureLoadable();
        using var model = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32);
        using var trainer = new DiffusionTrainer(model, new TrainerSettings { Steps = 100, Seed = 4 }, new ObjectiveSettings { Method = SafetyMethod.Lt });
        var rows = TrainingHarness.Rows(dataset);
        var data = TrainingHarness.Data(resolution: 16);

        await TrainingHarness.RunAsync(trainer, rows, data, 20);
        GC.Collect();
        long early = ProcessMemory.ResidentBytes();
        await TrainingHarness.RunAsync(trainer, rows, data, 100);
        GC.Collect();
        long late = ProcessMemory.ResidentBytes();

        output.WriteLine($"RSS after step 20: {early / 1048576.0:F1} MiB, after step 100: {late / 1048576.0:F1} MiB");
        Assert.True(late - early < 64L << 20, $"RSS grew by {(late - early) / 1048576.0:F1} MiB between step 20 and step 100");
    }
}
