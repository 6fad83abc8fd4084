using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

/// <summary>
/// A step whose loss or gradients are not finite is dropped, as a mixed-precision loss scaler drops it, instead of
/// turning every weight into NaN; when more than 1% of the steps (at least 3) are, training fails as diverged.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class DenoiserNonFiniteStepsTests
{
    private const long Seed = 3;

    public DenoiserNonFiniteStepsTests() => LibTorchRuntime.EnsureLoadable();

    private static (float[] Weights, DenoiserTrainingReport Report) Train(Tensor latents, int steps)
    {
        using var ids = torch.randint(0, 700, [latents.shape[0], 32], ScalarType.Int64, generator: new Generator(9));
        using var emptyIds = torch.zeros(32, ScalarType.Int64);
        using var ddpm = new DdpmScheduler(TinyModelConfigs.Scheduler());
        using var unet = FreshModules.Create(1, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
        using var text = FreshModules.Create(2, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        var options = new DenoiserPretrainingOptions { Steps = steps, BatchSize = 1, WarmupSteps = 1, LearningRate = 1e-3 };
        var report = DenoiserPretrainer.Train(unet, text, ddpm.Schedule, latents, ids, emptyIds, options, Seed, NullProgressSink.Instance, default);
        return (unet.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray(), report);
    }

    [Fact]
    public void A_step_on_a_sample_that_is_not_finite_is_dropped_and_the_weights_stay_finite()
    {
        using var latents = torch.randn([64, 4, 16, 16], generator: new Generator(8));
        // The first draw of each step is the batch's index: poison the sample the first step trains on.
        using var first = new Generator(unchecked((ulong)Seed));
        long poisoned = torch.randint(0, 64, [1], ScalarType.Int64, CPU, generator: first).item<long>();
        latents[poisoned] = torch.full([4, 16, 16], float.NaN);

        var (weights, report) = Train(latents, steps: 12);

        Assert.InRange(report.SkippedSteps, 1, 3);
        Assert.All(weights, w => Assert.True(float.IsFinite(w)));
        Assert.True(double.IsFinite(report.FinalLoss));
    }

    [Fact]
    public void Clean_samples_drop_no_step()
    {
        using var latents = torch.randn([64, 4, 16, 16], generator: new Generator(8));
        Assert.Equal(0, Train(latents, steps: 4).Report.SkippedSteps);
    }

    [Fact]
    public void Training_where_every_step_is_not_finite_fails_as_diverged_with_the_fix()
    {
        using var latents = torch.full([8, 4, 16, 16], float.NaN);
        var error = Assert.Throws<PipelineException>(() => Train(latents, steps: 10));
        Assert.Contains("diverged: 4 of 4 steps", error.Message);
        Assert.Contains("world.pretraining.denoiser.learningRate", error.Message);
    }
}
