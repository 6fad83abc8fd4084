using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class MinSnrWeightsTests
{
    public MinSnrWeightsTests() => LibTorchRuntime.EnsureLoadable();

    private static float[] WeightsAt(double gamma, params long[] timesteps)
    {
        using var ddpm = new DdpmScheduler(TinyModelConfigs.Scheduler());
        using var t = torch.tensor(timesteps);
        using var weights = DenoiserPretrainer.MinSnrWeights(ddpm.Schedule, t, gamma);
        return weights.data<float>().ToArray();
    }

    [Fact]
    public void A_nearly_clean_timestep_is_weighted_gamma_over_its_snr()
    {
        // t = 0 of the scaled-linear schedule: beta_0 = 0.00085, so alpha_bar = 0.99915 and SNR = 0.99915 / 0.00085 = 1175.5.
        var weight = WeightsAt(5.0, 0)[0];

        Assert.Equal(5.0 / (0.99915 / 0.00085), weight, 1e-6);
    }

    [Fact]
    public void Noisy_timesteps_whose_snr_is_below_gamma_keep_the_full_weight()
    {
        // By t = 500 alpha_bar is about 0.28 (SNR about 0.4), far under gamma 5; t = 999 is almost pure noise.
        var weights = WeightsAt(5.0, 500, 999);

        Assert.All(weights, w => Assert.Equal(1.0, w, 1e-6));
    }

    [Fact]
    public void The_weights_fall_as_the_timestep_gets_cleaner_while_its_snr_is_above_gamma()
    {
        var weights = WeightsAt(5.0, 0, 20, 50, 100);

        Assert.True(weights.Zip(weights.Skip(1)).All(p => p.First < p.Second), string.Join(", ", weights));
    }
}
