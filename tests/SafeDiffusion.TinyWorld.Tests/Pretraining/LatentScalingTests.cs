using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class LatentScalingTests
{
    public LatentScalingTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void The_factor_is_one_over_the_standard_deviation_of_the_latents()
    {
        // Half the values are m + 3 and half m - 3: a spread of exactly 3 around any mean m, whatever m is
        // (the sample std of 2n such values is 3 * sqrt(2n / (2n - 1))).
        int n = 50_000;
        var values = Enumerable.Range(0, 2 * n).Select(i => i % 2 == 0 ? 5f + 3f : 5f - 3f).ToArray();
        using var latents = torch.tensor(values).reshape(100, 4, 25, 10);
        double expected = 1.0 / (3.0 * Math.Sqrt(2.0 * n / (2.0 * n - 1)));
        Assert.Equal(expected, LatentScaling.Factor(latents), 1e-6);
    }

    [Fact]
    public void Scaled_gaussian_latents_come_back_to_unit_variance()
    {
        using var generator = new Generator(3);
        using var latents = torch.randn([64, 4, 8, 8], generator: generator) * 7.5 + 2;
        double factor = LatentScaling.Factor(latents);
        Assert.InRange(factor, 1 / 7.5 * 0.97, 1 / 7.5 * 1.03);
        using var scaled = latents * factor;
        Assert.Equal(1.0, scaled.std().item<float>(), 1e-3);
    }

    [Fact]
    public void Constant_latents_have_no_usable_scale()
    {
        using var latents = torch.full([8, 4, 2, 2], 0.5f);
        Assert.Throws<InvalidOperationException>(() => LatentScaling.Factor(latents));
    }
}
