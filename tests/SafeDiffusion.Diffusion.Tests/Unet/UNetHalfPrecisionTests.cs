using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Verification;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

public class UNetHalfPrecisionTests
{
    private readonly ITestOutputHelper _output;

    public UNetHalfPrecisionTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Bfloat16_weights_give_the_reference_output_to_bfloat16_accuracy(string set) => AssertReferenceOutput(set, ScalarType.BFloat16);

    [Theory]
    [InlineData(SdParity.Sd2)]
    public void Float16_weights_give_the_reference_output_to_float16_accuracy(string set) => AssertReferenceOutput(set, ScalarType.Float16);

    private void AssertReferenceOutput(string set, ScalarType dtype)
    {
        using var unet = UNet2DConditionModel.FromFolder(SdParity.Component(set, "unet"), dtype, CPU);
        using var cases = CaseTensors.Open(SdParity.Case(set, "unet.safetensors"));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = unet.Forward(cases.Require("sample").to_type(dtype), cases.Require("timestep"),
            cases.Require("encoder_hidden_states").to_type(dtype));

        Assert.Equal(dtype, output.dtype);
        // bfloat16 keeps 8 bits of mantissa: a few percent of the output's range is what a correct network reaches.
        var result = cases.Compare("out", output, cases.Require("out"), max => 5e-2 * Math.Max(1, max));
        _output.WriteLine($"{set} {dtype}: {result.MaxAbsError:E3}");
        Assert.True(result.Passed, $"{set} {dtype}: max abs error {result.MaxAbsError:E3} > {result.Tolerance:E3}");
    }
}
