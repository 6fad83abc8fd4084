using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using SafeDiffusion.Training.Tests.Support;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Engine;

public sealed class DiffusionTrainerTests : IDisposable
{
    private readonly TempDirectory _dir = Init();

    private static TempDirectory Init()
    {
        LibTorchRuntime.EnsureLoadable();
        return new TempDirectory("trainer");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Only_the_unet_changes_the_frozen_vae_and_text_encoder_keep_their_weights_and_take_no_gradients()
    {
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 2);
        using var model = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.Float32);
        using var scope = NewDisposeScope();
        var vaeBefore = model.Vae.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var textBefore = model.TextEncoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var unetBefore = model.Unet.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var trainer = new DiffusionTrainer(model, new TrainerSettings { Steps = 2, LearningRate = 1e-3, Seed = 1 }, new ObjectiveSettings { Method = SafetyMethod.Ng });

        await TrainingHarness.RunAsync(trainer, TrainingHarness.Rows(dataset), TrainingHarness.Data(resolution: 16), 2);

        Assert.False(model.Vae.training);
        Assert.False(model.TextEncoder.training);
        Assert.True(model.Unet.training);
        Assert.All(model.Vae.parameters().Concat(model.TextEncoder.parameters()), p => Assert.False(p.requires_grad));
        Assert.All(model.Vae.state_dict(), kv => Assert.True(Same(kv.Value, vaeBefore[kv.Key]), kv.Key));
        Assert.All(model.TextEncoder.state_dict(), kv => Assert.True(Same(kv.Value, textBefore[kv.Key]), kv.Key));
        Assert.Contains(model.Unet.state_dict(), kv => !Same(kv.Value, unetBefore[kv.Key]));
    }

    [Fact]
    public async Task A_v_prediction_model_trains_with_finite_losses()
    {
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 2);
        using var model = DiffusionTrainingModel.Load(TinySd.Sd2, CPU, TrainingPrecision.Float32);
        Assert.Equal(PredictionType.VPrediction, model.PredictionType);
        using var trainer = new DiffusionTrainer(model, new TrainerSettings { Steps = 2, Seed = 2 }, new ObjectiveSettings { Method = SafetyMethod.HighSafety });

        var steps = await TrainingHarness.RunAsync(trainer, TrainingHarness.Rows(dataset), TrainingHarness.Data(resolution: 16), 2);

        Assert.All(steps, s => Assert.True(double.IsFinite(s.Loss) && s.Mse > 0 && s.GradNorm > 0));
    }

    [Fact]
    public async Task Bf16_mixed_precision_keeps_a_float32_master_and_refreshes_the_bfloat16_copy_after_each_step()
    {
        var dataset = await TinyDataset.WriteAsync(_dir.File("data"), rows: 2);
        using var model = DiffusionTrainingModel.Load(TinySd.Sd1, CPU, TrainingPrecision.BFloat16Mixed);
        Assert.True(model.MixedPrecision);
        Assert.Equal(ScalarType.Float32, model.Unet.DType);
        Assert.Equal(ScalarType.BFloat16, model.ComputeUnet.DType);
        using var trainer = new DiffusionTrainer(model, new TrainerSettings { Steps = 1, LearningRate = 1e-2, Seed = 3 }, new ObjectiveSettings { Method = SafetyMethod.Lt });
        using var scope = NewDisposeScope();
        var before = model.Unet.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var steps = await TrainingHarness.RunAsync(trainer, TrainingHarness.Rows(dataset), TrainingHarness.Data(resolution: 16), 1);

        Assert.True(double.IsFinite(steps[0].Loss) && steps[0].GradNorm > 0);
        var compute = model.ComputeUnet.state_dict();
        Assert.Contains(model.Unet.state_dict(), kv => !Same(kv.Value, before[kv.Key]));
        Assert.All(model.Unet.state_dict(), kv => Assert.True(Same(compute[kv.Key], kv.Value.to(ScalarType.BFloat16)), kv.Key));
        Assert.All(model.ComputeUnet.parameters(), p => Assert.Null(p.grad));
    }

    private static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.allclose(b, rtol: 0, atol: 0);

}
