using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;
using Xunit.Abstractions;

namespace SafeDiffusion.Diffusion.Tests.Vae;

public class AutoencoderKLTests
{
    private readonly ITestOutputHelper _output;

    public AutoencoderKLTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Posterior_mean_std_and_decoded_image_match_diffusers_within_1e4(string set)
    {
        var results = new VaeCase().Run(SdParity.Model(set), SdParity.Cases(set));

        Assert.Equal(["vae.safetensors:posterior_mean", "vae.safetensors:posterior_std", "vae.safetensors:decoded"], results.Select(r => r.Case));
        foreach (var r in results)
        {
            _output.WriteLine($"{set} {r.Case}: {r.MaxAbsError:E3} (tolerance {r.Tolerance:E3})");
            Assert.True(r.Passed, $"{set} {r.Case}: max abs error {r.MaxAbsError:E3} > {r.Tolerance:E3}");
        }
    }
}
