using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

public class UNet2DConditionModelTests
{
    public UNet2DConditionModelTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Unet_output_matches_diffusers_within_1e4(string set)
    {
        var results = new UnetCase().Run(SdParity.Model(set), SdParity.Cases(set));

        var result = Assert.Single(results);
        Assert.True(result.Passed, $"{set} {result.Case}: max abs error {result.MaxAbsError:E3} > {result.Tolerance:E3}");
    }
}
