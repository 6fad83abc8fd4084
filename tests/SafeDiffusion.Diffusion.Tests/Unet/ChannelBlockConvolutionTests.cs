using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

/// <summary>
/// Gradients through convolutions whose output channels do not fill a CPU channel block agree with the same computation
/// in float64 (which libtorch runs without oneDNN). On the project's development and CI hosts (AMD EPYC, AVX-512)
/// libtorch's own float32 backward pass got the input gradient of such a 3x3 convolution 35-98% wrong, and now and
/// then NaN, and its bfloat16 forward pass 31% wrong; these tests failed there before <see cref="ChannelBlockConvolution"/>.
/// </summary>
public class ChannelBlockConvolutionTests
{
    private const double Tolerance = 1e-4;

    public ChannelBlockConvolutionTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData(32, 1)]
    [InlineData(32, 3)]
    [InlineData(32, 4)]
    [InlineData(32, 8)]
    [InlineData(4, 12)]
    [InlineData(32, 20)]
    [InlineData(32, 32)]
    public void A_3x3_convolution_gives_the_float64_output_and_gradients_for_any_number_of_output_channels(int inChannels, int outChannels)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        using var conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        var input = randn([8, inChannels, 16, 16], generator: generator);
        var outputGradient = randn([8, outChannels, 16, 16], generator: generator);

        var single = Run(conv, input, outputGradient, ScalarType.Float32);
        var reference = Run(conv, input, outputGradient, ScalarType.Float64);

        Assert.True(RelativeError(single.Output, reference.Output) < Tolerance, $"output off by {RelativeError(single.Output, reference.Output):E2}");
        Assert.True(RelativeError(single.Input, reference.Input) < Tolerance, $"input gradient off by {RelativeError(single.Input, reference.Input):E2}");
        Assert.True(RelativeError(single.Weight, reference.Weight) < Tolerance, $"weight gradient off by {RelativeError(single.Weight, reference.Weight):E2}");
        Assert.True(RelativeError(single.Bias, reference.Bias) < Tolerance, $"bias gradient off by {RelativeError(single.Bias, reference.Bias):E2}");
    }

    [Fact]
    public void Without_a_gradient_it_is_the_plain_convolution_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(12);
        using var conv = nn.Conv2d(32, 4, 3, padding: 1);
        var input = randn([8, 32, 16, 16], generator: generator).requires_grad_(true);

        using var noGrad = no_grad();
        Assert.Equal(conv.forward(input).data<float>().ToArray(), ChannelBlockConvolution.Forward(conv, input).data<float>().ToArray());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    [InlineData(32)]
    public void A_bfloat16_convolution_is_as_close_to_float64_as_bfloat16_allows(int outChannels)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(15);
        using var conv = nn.Conv2d(32, outChannels, 3, padding: 1, dtype: ScalarType.BFloat16);
        var input = randn([8, 32, 16, 16], generator: generator).to(ScalarType.BFloat16);

        using var noGrad = no_grad();
        var output = ChannelBlockConvolution.Forward(conv, input);
        var reference = nn.functional.conv2d(input.to(ScalarType.Float64), conv.weight!.to(ScalarType.Float64), conv.bias!.to(ScalarType.Float64), padding: [1, 1]);

        // bfloat16 keeps 8 significant bits: its rounding of the output alone is 0.4% of the largest value.
        Assert.True(RelativeError(output, reference) < 1e-2, $"bfloat16 output off by {RelativeError(output, reference):E2}");
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Every_UNet_gradient_agrees_with_float64(string set)
    {
        using var unet32 = UNet2DConditionModel.FromFolder(SdParity.Component(set, "unet"), ScalarType.Float32, CPU);
        using var unet64 = UNet2DConditionModel.FromFolder(SdParity.Component(set, "unet"), ScalarType.Float64, CPU);
        var config = unet32.Config;
        using var scope = NewDisposeScope();
        using var generator = new Generator(13);
        var sample = randn([4, config.InChannels, 16, 16], generator: generator);
        var timesteps = tensor(new long[] { 10, 300, 600, 900 });
        var text = randn([4, 7, config.CrossAttentionDim.Expand(config.BlockCount)[0]], generator: generator);
        var weights = randn([4, config.OutChannels, 16, 16], generator: generator);

        (unet32.Forward(sample, timesteps, text) * weights).sum().backward();
        (unet64.Forward(sample.to(ScalarType.Float64), timesteps, text.to(ScalarType.Float64)) * weights.to(ScalarType.Float64)).sum().backward();

        AssertGradientsAgree(unet32, unet64);
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Every_VAE_gradient_agrees_with_float64(string set)
    {
        using var vae32 = AutoencoderKL.FromFolder(SdParity.Component(set, "vae"), ScalarType.Float32, CPU);
        using var vae64 = AutoencoderKL.FromFolder(SdParity.Component(set, "vae"), ScalarType.Float64, CPU);
        using var scope = NewDisposeScope();
        using var generator = new Generator(14);
        var images = rand([4, 3, 32, 32], generator: generator) * 2 - 1;

        foreach (var (vae, dtype) in new[] { (vae32, ScalarType.Float32), (vae64, ScalarType.Float64) })
        {
            using var posterior = vae.Encode(images.to(dtype));
            // The reconstruction and the posterior's spread both reach the encoder's output convolution (8 channels).
            ((vae.Decode(posterior.Mean) - images.to(dtype)).abs().mean() + posterior.LogVar.mean()).backward();
        }

        AssertGradientsAgree(vae32, vae64);
    }

    private static (Tensor Output, Tensor Input, Tensor Weight, Tensor Bias) Run(Conv2d source, Tensor input, Tensor outputGradient, ScalarType dtype)
    {
        using var conv = nn.Conv2d(source.in_channels, source.out_channels, 3, padding: 1, dtype: dtype);
        using (no_grad())
        {
            conv.weight!.copy_(source.weight!);
            conv.bias!.copy_(source.bias!);
        }
        var x = input.detach().to(dtype).clone().requires_grad_(true);
        var output = ChannelBlockConvolution.Forward(conv, x);
        (output * outputGradient.to(dtype)).sum().backward();
        return (output.detach().clone(), x.grad!.clone(), conv.weight!.grad!.clone(), conv.bias!.grad!.clone());
    }

    private static void AssertGradientsAgree(nn.Module single, nn.Module reference)
    {
        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        var errors = single.named_parameters()
            .Where(p => expected[p.name].abs().max().item<double>() > 1e-8) // exactly-zero gradients (key biases) have no scale
            .Select(p => (p.name, Error: RelativeError(p.parameter.grad!, expected[p.name])))
            .OrderByDescending(e => e.Error)
            .ToList();
        Assert.NotEmpty(errors);
        Assert.True(errors[0].Error < 1e-3, $"{errors[0].name}: gradient off by {errors[0].Error:E2} of its size");
    }

    /// <summary>Largest absolute difference over the reference's largest magnitude; infinite when anything is NaN.</summary>
    private static double RelativeError(Tensor actual, Tensor expected)
    {
        var difference = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>();
        double error = difference / expected.to(ScalarType.Float64).abs().max().item<double>();
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }
}
