using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Benchmarks;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Tests.Support;

namespace SafeDiffusion.Training.Tests.Benchmarks;

/// <summary>
/// `pipeline bench memory`'s cases on the tiny SD 1.x model: with its weights, and from its config files alone (random
/// weights of the same shapes), as the full-size measurement runs from the released configs.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class MemoryBenchmarkTests : IDisposable
{
    private readonly TempDirectory _dir = new("memory-bench");

    public MemoryBenchmarkTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _dir.Dispose();

    /// <summary>The tiny model's config files without any weights.</summary>
    private string ConfigsOnly()
    {
        foreach (var (component, file) in new[] { ("unet", "config.json"), ("vae", "config.json"), ("text_encoder", "config.json"), ("scheduler", "scheduler_config.json") })
        {
            Directory.CreateDirectory(_dir.File("configs", component));
            File.Copy(Path.Combine(TinySd.Sd1, component, file), _dir.File("configs", component, file));
        }
        return _dir.File("configs");
    }

    [Theory]
    [InlineData(MemoryBenchmarkTarget.Txt2Img, false)]
    [InlineData(MemoryBenchmarkTarget.TrainingStep, false)]
    [InlineData(MemoryBenchmarkTarget.TrainingStep, true)]
    public async Task A_folder_of_config_files_runs_each_case_on_random_weights_of_the_configured_size(MemoryBenchmarkTarget target, bool checkpointing)
    {
        var result = await MemoryBenchmark.RunAsync(new MemoryBenchmarkCase
        {
            ModelDirectory = ConfigsOnly(), Target = target, Size = 32, Batch = 2, GradientCheckpointing = checkpointing,
        });

        Assert.True(result.RandomWeights);
        Assert.Equal(ModelSizing.ParameterCount(TinySd.Sd1, "unet"), result.UnetParameters);
        Assert.True(result.ModelsResidentBytes > 0);
        Assert.True(result.PeakResidentBytes >= result.ModelsResidentBytes);
        Assert.Null(result.CudaInUseBytes);
    }

    [Fact]
    public async Task A_txt2img_case_measures_one_image_decode_alone_before_the_batch_and_a_training_case_does_not()
    {
        var configs = ConfigsOnly();
        var txt2img = await MemoryBenchmark.RunAsync(new MemoryBenchmarkCase { ModelDirectory = configs, Target = MemoryBenchmarkTarget.Txt2Img, Size = 32, Batch = 2 });
        var training = await MemoryBenchmark.RunAsync(new MemoryBenchmarkCase { ModelDirectory = configs, Target = MemoryBenchmarkTarget.TrainingStep, Size = 32 });

        Assert.NotNull(txt2img.DecodePeakBytes);
        Assert.True(txt2img.DecodePeakBytes >= txt2img.ModelsResidentBytes, "the decode ran with the models loaded");
        Assert.Null(training.DecodePeakBytes);
    }

    [Fact]
    public async Task A_model_folder_runs_on_its_own_weights()
    {
        var result = await MemoryBenchmark.RunAsync(new MemoryBenchmarkCase { ModelDirectory = TinySd.Sd1, Target = MemoryBenchmarkTarget.Txt2Img, Size = 32, Batch = 2 });

        Assert.False(result.RandomWeights);
        Assert.Equal("txt2img 32px batch 2", result.Case.Label);
    }

    [Fact]
    public async Task A_folder_without_a_scheduler_config_is_refused_naming_the_file()
    {
        var dir = ConfigsOnly();
        File.Delete(Path.Combine(dir, "scheduler", "scheduler_config.json"));

        var e = await Assert.ThrowsAsync<InputDataException>(() => MemoryBenchmark.RunAsync(new MemoryBenchmarkCase { ModelDirectory = dir }));

        Assert.Contains("scheduler_config.json", e.Message);
    }
}
