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

/// <summary>The denoiser loss weighted per latent pixel: all ones is the plain loss, other weights change what is learned.</summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class DenoiserPixelWeightsTests
{
    public DenoiserPixelWeightsTests() => LibTorchRuntime.EnsureLoadable();

    private static float[] TrainedUnetWeights(Tensor? pixelWeights)
    {
        using var generator = new Generator(8);
        using var latents = torch.randn([8, 4, 16, 16], generator: generator);
        using var ids = torch.randint(0, 700, [8, 32], ScalarType.Int64, generator: generator);
        using var emptyIds = torch.zeros(32, ScalarType.Int64);
        using var ddpm = new DdpmScheduler(TinyModelConfigs.Scheduler());
        using var unet = FreshModules.Create(1, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
        using var text = FreshModules.Create(2, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
        var options = new DenoiserPretrainingOptions { Steps = 2, BatchSize = 4, WarmupSteps = 1, LearningRate = 1e-3 };
        DenoiserPretrainer.Train(unet, text, ddpm.Schedule, latents, ids, emptyIds, options, 3, NullProgressSink.Instance, default, 1, pixelWeights);
        return unet.parameters().SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
    }

    [Fact]
    public void Weights_of_one_train_exactly_what_the_plain_loss_trains()
    {
        using var ones = torch.ones([8, 1, 16, 16]);
        Assert.Equal(TrainedUnetWeights(null), TrainedUnetWeights(ones));
    }

    [Fact]
    public void Weighting_one_corner_trains_other_weights()
    {
        using var corner = torch.zeros([8, 1, 16, 16]);
        corner[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(0, 4), TensorIndex.Slice(0, 4)] = torch.tensor(1f);
        Assert.NotEqual(TrainedUnetWeights(null), TrainedUnetWeights(corner));
    }

    [Fact]
    public void Weights_of_another_shape_than_the_latents_are_refused()
    {
        using var wrong = torch.ones([8, 1, 8, 8]);
        Assert.Throws<ArgumentException>(() => TrainedUnetWeights(wrong));
    }
}
