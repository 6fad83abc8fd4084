using Xunit.Abstractions;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

public class UNet2DConditionModelTests
{
    private readonly ITestOutputHelper _output;

    public UNet2DConditionModelTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Unet_output_matches_diffusers_within_1e4(string set)
    {
        var results = new UnetCase().Run(SdParity.Model(set), SdParity.Cases(set));

        var result = Assert.Single(results);
        _output.WriteLine($"{set} {result.Case}: {result.MaxAbsError:E3} (tolerance {result.Tolerance:E3})");
        Assert.True(result.Passed, $"{set} {result.Case}: max abs error {result.MaxAbsError:E3} > {result.Tolerance:E3}");
    }
}
