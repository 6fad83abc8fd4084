using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Checkpoints;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using SafeDiffusion.Training.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly TempDirectory _temp = new("training-ckpt");

    public CheckpointTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _temp.Dispose();

    private static readonly TrainerSettings Settings = new()
    {
        Steps = 3,
        LearningRate = 1e-3,
        GradientAccumulation = 2,
        Seed = 21,
    };

    private static readonly ObjectiveSettings Lt = new() { Method = SafetyMethod.Lt, Lambda = 1e-3 };

    [Trait("Category", "Slow")]
    [Fact]
    public async Task A_model_trained_three_steps_reloads_with_the_projects_loader_and_gives_identical_outputs()
    {
        var dataset = await TinyDataset.WriteAsync(_temp.File("data"), rows: 4);
        var output = _temp.File("model");
        using var model = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32);
        using var trainer = new DiffusionTrainer(model, Settings, Lt);
        await TrainingHarness.RunAsync(trainer, TrainingHarness.Rows(dataset), TrainingHarness.Data(resolution: 32), 3);

        DiffusersModelWriter.Write(output, TinySd.Sd1, new Dictionary<string, nn.Module> { ["unet"] = model.Unet }, FrozenComponentMode.HardLink);

        using var scope = NewDisposeScope();
        using var loaded = StableDiffusionModels.Load(output, ScalarType.Float32, CPU);
        using var generator = new Generator(1);
        var sample = randn([1, 4, 16, 16], generator: generator);
        var text = randn([1, 77, 32], generator: generator);
        model.Unet.eval();
        using (no_grad())
        {
            var trained = model.Unet.Forward(sample, 500, text);
            var reloaded = loaded.Unet.Forward(sample, 500, text);
            using var original = StableDiffusionModels.Load(TinySd.Sd1, ScalarType.Float32, CPU);
            var before = original.Unet.Forward(sample, 500, text);
            Assert.True(trained.allclose(reloaded, rtol: 0, atol: 0), "the reloaded UNet differs from the trained one");
            Assert.False(trained.allclose(before, rtol: 0, atol: 1e-4), "training did not change the UNet");
        }
        // The whole folder works with the txt2img sampler (tokenizer, text encoder, VAE and scheduler linked from the base).
        using var conditioner = ClipTextConditioner.FromModelFolder(output, ScalarType.Float32, CPU);
        var images = loaded.CreateSampler().Generate(conditioner, [new Txt2ImgPrompt("a red cube", 3)],
            new Txt2ImgOptions { Width = 64, Height = 64, Steps = 2, GuidanceScale = 2 }).ToList();
        Assert.Single(images);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TinySd.Sd1, "vae", "diffusion_pytorch_model.safetensors")),
            File.ReadAllBytes(Path.Combine(output, "vae", "diffusion_pytorch_model.safetensors")));
    }

    [Fact]
    public async Task Resuming_from_the_state_saved_at_step_two_ends_with_the_weights_of_an_uninterrupted_run()
    {
        var dataset = await TinyDataset.WriteAsync(_temp.File("data"), rows: 4);
        var rows = TrainingHarness.Rows(dataset);
        var data = TrainingHarness.Data(resolution: 32);
        var store = new TrainingStateStore(_temp.File("state"));

        // 4 rows, batch 1, accumulation 2: steps 1 and 2 are epoch 0, step 3 opens epoch 1 (centre counts reset).
        using var model = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32);
        using var trainer = new DiffusionTrainer(model, Settings, Lt);
        await TrainingHarness.RunAsync(trainer, rows, data, 2);
        store.Save(trainer, "run-a");
        var uninterrupted = await TrainingHarness.RunAsync(trainer, rows, data, 3);

        using var resumedModel = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32);
        using var resumed = new DiffusionTrainer(resumedModel, Settings, Lt);
        Assert.False(store.TryRestore(resumed, "another-run"));
        Assert.True(store.TryRestore(resumed, "run-a"));
        Assert.Equal(2, resumed.State.Step);
        var resumedSteps = await TrainingHarness.RunAsync(resumed, rows, data, 3);

        Assert.Equal(1, uninterrupted[0].Epoch);
        Assert.Equal(uninterrupted[0].Loss, resumedSteps[0].Loss);
        var expected = model.Unet.state_dict();
        foreach (var (name, weight) in resumedModel.Unet.state_dict())
        {
            double difference = (weight - expected[name]).abs().max().item<float>();
            Assert.True(difference <= 1e-6, $"{name} differs by {difference}");
        }
        Assert.Equal(trainer.Centres!.CleanCount, resumed.Centres!.CleanCount);
        Assert.True(trainer.Centres.Clean.allclose(resumed.Centres.Clean, rtol: 0, atol: 0));
        Assert.True(trainer.Centres.Harmful.allclose(resumed.Centres.Harmful, rtol: 0, atol: 0));
    }
}
