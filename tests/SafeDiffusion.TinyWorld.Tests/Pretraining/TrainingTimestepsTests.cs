using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class TrainingTimestepsTests
{
    public TrainingTimestepsTests() => LibTorchRuntime.EnsureLoadable();

    private static long[] Draw(DenoiserPretrainingOptions options, long count = 20_000, ulong seed = 3)
    {
        using var generator = new torch.Generator(seed);
        using var t = DenoiserPretrainer.Timesteps(options, 1000, count, generator);
        return t.data<long>().ToArray();
    }

    private static double Share(long[] t, long from, long to) => t.Count(x => x >= from && x < to) / (double)t.Length;

    [Fact]
    public void Uniform_draws_cover_the_schedule_evenly()
    {
        var t = Draw(new DenoiserPretrainingOptions { TimestepSampling = TimestepSampling.Uniform });

        Assert.All(t, x => Assert.InRange(x, 0, 999));
        // Each tenth of the schedule holds 10% of 20,000 draws, give or take 4 standard deviations (0.85%).
        for (long from = 0; from < 1000; from += 100) Assert.InRange(Share(t, from, from + 100), 0.0915, 0.1085);
    }

    [Fact]
    public void Logit_normal_draws_favour_the_middle_of_the_schedule()
    {
        var t = Draw(new DenoiserPretrainingOptions { TimestepSampling = TimestepSampling.LogitNormal });

        Assert.All(t, x => Assert.InRange(x, 0, 999));
        // sigmoid(z) lies in [0.4, 0.6) for |z| < logit(0.6) = 0.405: P = 2 Phi(0.405) - 1 = 0.315 for z ~ N(0, 1).
        Assert.InRange(Share(t, 400, 600), 0.30, 0.33);
        // The last tenth needs z > logit(0.9) = 2.197: P = 0.014.
        Assert.InRange(Share(t, 900, 1000), 0.010, 0.018);
    }

    [Fact]
    public void A_positive_logit_mean_moves_the_draws_towards_noise()
    {
        var t = Draw(new DenoiserPretrainingOptions { TimestepSampling = TimestepSampling.LogitNormal, TimestepLogitMean = 1.0 });

        // t >= 500 needs z > 0, so P(N(1, 1) > 0) = Phi(1) = 0.841.
        Assert.InRange(Share(t, 500, 1000), 0.83, 0.85);
    }

    [Fact]
    public void The_same_seed_draws_the_same_timesteps()
    {
        var options = new DenoiserPretrainingOptions();

        Assert.Equal(Draw(options, 64, 11), Draw(options, 64, 11));
    }
}
