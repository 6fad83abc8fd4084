using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

/// <summary>The forward that also hands back where the down path ends predicts exactly what the plain forward predicts.</summary>
public class UNetEncoderOutputTests
{
    public UNetEncoderOutputTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void The_prediction_is_the_plain_forwards_and_the_hidden_state_sits_on_the_coarsest_grid(string set)
    {
        using var unet = UNet2DConditionModel.FromFolder(SdParity.Component(set, "unet"), ScalarType.Float32, CPU);
        var config = unet.Config;
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        long side = 16;
        var sample = randn([2, config.InChannels, side, side], generator: generator);
        var timesteps = tensor(new long[] { 10, 700 });
        long crossDim = config.CrossAttentionDim.Expand(config.BlockCount)[0];
        var text = randn([2, 7, crossDim], generator: generator);

        using var noGrad = no_grad();
        var plain = unet.Forward(sample, timesteps, text);
        var (prediction, encoderOutput) = unet.ForwardWithEncoderOutput(sample, timesteps, text);

        Assert.Equal(plain.data<float>().ToArray(), prediction.data<float>().ToArray());
        long coarsest = side >> (config.BlockCount - 1);
        Assert.Equal(new[] { 2L, config.BlockOutChannels[^1], coarsest, coarsest }, encoderOutput.shape);
        // It depends on the input: another noisy sample gives another hidden state.
        var (_, other) = unet.ForwardWithEncoderOutput(randn(sample.shape, generator: generator), timesteps, text);
        Assert.True((other - encoderOutput).abs().max().item<float>() > 1e-3f);
    }
}
