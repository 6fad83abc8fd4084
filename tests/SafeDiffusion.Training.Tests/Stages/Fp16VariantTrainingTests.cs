using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Training.Tests.Support;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Stages;

/// <summary>A model folder holding only <c>*.fp16.safetensors</c> (the variant-only downloads of the hub) is trained and sized with <c>variant: fp16</c>.</summary>
public sealed class Fp16VariantTrainingTests : IDisposable
{
    private readonly TempDirectory _dir = new("fp16-training");
    private readonly string _model;

    public Fp16VariantTrainingTests()
    {
        LibTorchRuntime.EnsureLoadable();
        _model = Fp16OnlyModel.Create(TinySd.Sd1, _dir.File("fp16-model"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_fp16_only_folder_has_no_plain_weights()
    {
        Assert.DoesNotContain(Directory.EnumerateFiles(_model, "*.safetensors", SearchOption.AllDirectories), f => !f.Contains(".fp16.", StringComparison.Ordinal));
        Assert.Equal(3, Directory.EnumerateFiles(_model, "*.fp16.safetensors", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void Sizing_reads_the_variant_and_counts_what_the_plain_folder_counts()
    {
        var plain = ModelSizing.TrainingMemory(TinySd.Sd1, 64, 2, mixedPrecision: false);
        Assert.Equal(plain, ModelSizing.TrainingMemory(_model, 64, 2, mixedPrecision: false, variant: "fp16"));
        var e = Assert.Throws<InputDataException>(() => ModelSizing.TrainingMemory(_model, 64, 2, mixedPrecision: false));
        Assert.Contains("`variant: fp16`", e.Message);
        Assert.Contains("diffusion_pytorch_model.fp16.safetensors", e.Message);
    }

    [Fact]
    public void The_training_model_loads_the_variant_into_float32_master_weights()
    {
        using var model = DiffusionTrainingModel.Load(_model, CPU, TrainingPrecision.Float32, "fp16");
        using var plain = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32);
        Assert.Equal(plain.UnetParameterCount, model.UnetParameterCount);
        Assert.All(model.TrainableParameters, p => Assert.Equal(ScalarType.Float32, p.Parameter.dtype));
        // The fp16 file is the float32 one rounded: the masters agree to half precision.
        var reference = plain.TrainableParameters.ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var (name, parameter) in model.TrainableParameters)
            Assert.True(parameter.allclose(reference[name], rtol: 1e-3, atol: 1e-4), $"{name} differs beyond fp16 rounding");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Safety_training_and_the_attack_run_on_the_fp16_only_folder_with_variant_fp16()
    {
        var yaml = $$"""
            name: fp16-variant
            seed: 5
            devices: [{ id: cpu, memory: 4GiB }]
            models:
              base: { path: "{{_model}}", variant: fp16 }
            stages:
              safety-train: { method: lt, steps: 1, resolution: 32 }
              malicious-finetune: { steps: 1, resolution: 32, save-at: [] }
            """;
        var document = ConfigDocument.Parse(yaml, "fp16.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        IStage[] stages =
        [
            new FakeDatasetStage(rows: 2),
            new SafetyTrainStage(SafetyTrainStage.StageName, DatasetStage.DefaultName, ModelVariant.Safe),
            new MaliciousFinetuneStage(MaliciousFinetuneStage.StageName, SafetyTrainStage.StageName, controlTrainStage: null, DatasetStage.DefaultName),
        ];
        var configs = StageConfigs.Bind(stages, config, document);
        using var run = new RunStore(_dir.File("runs")).Create(document, config);
        var env = new PipelineEnvironment(run, config, document, DeviceScheduler.FromConfig(config), NullProgressSink.Instance,
            new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);

        var result = await new GraphRunner().RunAsync(new StageGraph("fp16", stages), configs, env,
            new RunSelection(stages.Select(s => s.Name).ToHashSet()), CancellationToken.None);

        var matrix = Assert.IsType<ModelMatrix>(Assert.Single(result.Outputs));
        // The trained UNets are written plain; their frozen VAE and text encoder are the base's fp16 files.
        foreach (var model in matrix.Models.Where(m => m.Attacked || m.Variant == ModelVariant.Safe))
        {
            Assert.True(File.Exists(Path.Combine(model.ModelDirectory, "unet", "diffusion_pytorch_model.safetensors")));
            Assert.EndsWith("model.fp16.safetensors", Assert.Single(ComponentWeights.Locate(Path.Combine(model.ModelDirectory, "text_encoder"), "fp16")));
        }
        Assert.Equal(StageStatus.Completed, run.Stage(MaliciousFinetuneStage.StageName).Status);
    }
}
