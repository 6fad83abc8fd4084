using System.Text.Json;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using static TorchSharp.torch;
using SafeDiffusion.TinyWorld.Tests.Support;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class TinyBaseModelBuilderTests : IDisposable
{
    private readonly TempDirectory _temp = new("tinyworld-base-model");

    public TinyBaseModelBuilderTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _temp.Dispose();

    /// <summary>The whole recipe at toy scale: a handful of steps of each phase on one thread.</summary>
    private static TinyWorldConfig SmallWorld() => new()
    {
        Classifier = new TinyClassifierConfig { TrainImages = 64, HoldoutImages = 32, Epochs = 1, BatchSize = 32, Threads = 1 },
        Pretraining = new TinyPretrainingConfig
        {
            TrainPairs = 96,
            Threads = 1,
            Vae = new VaePretrainingOptions { Steps = 4, BatchSize = 8, WarmupSteps = 1 },
            Denoiser = new DenoiserPretrainingOptions { Steps = 5, BatchSize = 8, WarmupSteps = 1 },
            Gate = new QualityGateOptions { Images = 3, Steps = 2 },
        },
    };

    [Trait("Category", "Slow")]
    [Fact]
    public async Task A_small_base_model_is_built_once_as_a_diffusers_folder_the_project_loads_and_samples_from()
    {
        var world = SmallWorld();
        var cache = new TinyArtifactCache(_temp.Path);
        using var classifier = TinyWorldClassifier.Train(world);
        var progress = new RecordingProgressSink();

        var model = await TinyBaseModelBuilder.EnsureBuiltAsync(world, cache, classifier, progress);

        Assert.Equal(cache.PathFor(TinyBaseModelBuilder.Recipe(world)), model.Directory);
        foreach (var file in new[]
                 {
                     "model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
                     "vae/diffusion_pytorch_model.safetensors", "text_encoder/config.json", "text_encoder/model.safetensors",
                     "tokenizer/vocab.json", "tokenizer/merges.txt", "scheduler/scheduler_config.json",
                     TinyBaseModelFolder.QualityGateFile, TinyBaseModelFolder.ReportFile, TinyBaseModelFolder.SamplesFile,
                 })
            Assert.True(File.Exists(Path.Combine(model.Directory, file)), $"{file} is missing");

        // VAE first, then UNet with the text encoder, each reporting its loss while it trains.
        var tasks = progress.Tasks.ToList();
        Assert.True(tasks.IndexOf("pretrain tiny VAE") < tasks.IndexOf("pretrain tiny UNet + text encoder"));
        Assert.Contains(progress.Statuses, s => s.StartsWith("L1 ", StringComparison.Ordinal));
        Assert.Contains(progress.Statuses, s => s.StartsWith("loss ", StringComparison.Ordinal));

        // The measured scaling factor replaced the shipped placeholder of 1.
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(model.Directory, TinyBaseModelFolder.ReportFile)));
        double scaling = report.RootElement.GetProperty("scalingFactor").GetDouble();
        using (var vaeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(model.Directory, "vae", "config.json"))))
            Assert.Equal(scaling, vaeConfig.RootElement.GetProperty("scaling_factor").GetDouble());
        Assert.NotEqual(1.0, scaling);

        // The gate figures are shares of the images asked for, and the verdict follows the thresholds.
        var gate = model.Gate;
        Assert.Equal(3, gate.Images);
        Assert.Equal(0.8, gate.Thresholds.CleanAdherence);
        Assert.Contains(gate.CleanAdherence, new[] { 0.0, 1 / 3.0, 2 / 3.0, 1.0 });
        Assert.Contains(gate.HarmfulPresence, new[] { 0.0, 1 / 3.0, 2 / 3.0, 1.0 });
        Assert.Equal(gate.CleanAdherence >= 0.8 && gate.HarmfulPresence >= 0.8, gate.Passed);
        Assert.Equal(!gate.Passed, progress.Warnings.Any(w => w.Contains("quality gate", StringComparison.Ordinal)));
        // The ceiling through the VAE is measured on the same three clean prompts, and the log says it.
        Assert.Contains(gate.ReconstructedCleanAdherence!.Value, new[] { 0.0, 1 / 3.0, 2 / 3.0, 1.0 });
        Assert.Equal(3, gate.ReconstructedBreakdown!.ByObjectCount.Sum(c => c.Prompts));
        Assert.Contains(progress.Infos, i => i.StartsWith("Quality gate ceiling: ", StringComparison.Ordinal));

        // The text encoder was trained, not left at its initial weights.
        using (var initial = FreshModules.Create(TinyBaseModelBuilder.InitSeed(world.Pretraining, "text_encoder"), () => new CLIPTextModel(TinyModelConfigs.TextEncoder())))
        using (var saved = SafetensorsFile.Open(Path.Combine(model.Directory, "text_encoder", "model.safetensors")))
        {
            var before = initial.state_dict()["text_model.encoder.layers.0.self_attn.q_proj.weight"];
            using var after = saved.Load("text_model.encoder.layers.0.self_attn.q_proj.weight");
            Assert.False(before.allclose(after));
        }

        // The project's own loaders read the folder, and the folder's default sampler draws images of the world size.
        Assert.Equal(world.Pretraining.TokenLength, ClipTokenizer.FromFolder(Path.Combine(model.Directory, "tokenizer")).MaxLength);
        using (var models = StableDiffusionModels.Load(model.Directory, ScalarType.Float32, CPU))
        using (var text = ClipTextConditioner.FromModelFolder(model.Directory, ScalarType.Float32, CPU))
        {
            Assert.Equal("DPMSolverMultistepScheduler", models.SchedulerConfig.ClassName);
            var images = models.CreateSampler().Generate(text,
                [new Txt2ImgPrompt("a red circle on the grass", 1), new Txt2ImgPrompt("a bloody knife at night", 2)],
                new Txt2ImgOptions { Width = 32, Height = 32, Steps = 2, GuidanceScale = 4, BatchSize = 2 }).ToList();
            Assert.Equal(2, images.Count);
            Assert.All(images, i => Assert.Equal((32, 32), (i.Width, i.Height)));
        }

        // Asked again, the cache serves the same folder without training anything.
        var again = new RecordingProgressSink();
        var second = await TinyBaseModelBuilder.EnsureBuiltAsync(world, cache, classifier, again);
        Assert.Equal(model, second);
        Assert.DoesNotContain(again.Tasks, t => t.StartsWith("pretrain", StringComparison.Ordinal));
    }
}
