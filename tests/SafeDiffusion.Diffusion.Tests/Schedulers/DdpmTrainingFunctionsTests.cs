using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;

namespace SafeDiffusion.Diffusion.Tests.Schedulers;

public class DdpmTrainingFunctionsTests
{
    public DdpmTrainingFunctionsTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Add_noise_velocity_and_alphas_cumprod_match_diffusers(string set)
    {
        var results = new DdpmTrainCase().Run(SdParity.Model(set), SdParity.Cases(set));

        Assert.Equal(["ddpm_train.safetensors:noisy", "ddpm_train.safetensors:velocity", "ddpm_train.safetensors:alphas_cumprod"],
            results.Select(r => r.Case));
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Case}: {r.MaxAbsError:E3} > {r.Tolerance:E3}"));
    }
}
