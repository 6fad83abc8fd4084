using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Optimization;

public sealed class GradientClippingTests
{
    public GradientClippingTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Gradients_over_the_limit_are_scaled_to_it_and_the_norm_before_is_returned()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2)) { grad = tensor(new[] { 3f, 4f }) };
        var b = new Parameter(zeros(1)) { grad = tensor(new[] { 12f }) };

        // sqrt(9 + 16 + 144) = 13; scaled by 1.3 / 13 = 0.1.
        double norm = GradientClipping.ClipByTotalNorm([a, b], 1.3);

        Assert.Equal(13.0, norm, 1e-5);
        Assert.Equal(0.3, a.grad!.data<float>()[0], 1e-5);
        Assert.Equal(0.4, a.grad!.data<float>()[1], 1e-5);
        Assert.Equal(1.2, b.grad!.data<float>()[0], 1e-5);
    }

    [Fact]
    public void Gradients_under_the_limit_are_left_alone()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2)) { grad = tensor(new[] { 0.3f, 0.4f }) };

        double norm = GradientClipping.ClipByTotalNorm([a], 1.0);

        Assert.Equal(0.5, norm, 1e-6);
        Assert.Equal([0.3f, 0.4f], a.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Clipping_matches_libtorch_clip_grad_norm()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var g1 = randn([4, 4], generator: generator) * 3;
        var g2 = randn([7], generator: generator) * 3;
        var ours = new[] { new Parameter(zeros(4, 4)) { grad = g1.clone() }, new Parameter(zeros(7)) { grad = g2.clone() } };
        var theirs = new[] { new Parameter(zeros(4, 4)) { grad = g1.clone() }, new Parameter(zeros(7)) { grad = g2.clone() } };

        double ourNorm = GradientClipping.ClipByTotalNorm(ours, 1.0);
        double theirNorm = nn.utils.clip_grad_norm_(theirs, 1.0);

        Assert.Equal(theirNorm, ourNorm, 1e-4);
        for (int i = 0; i < 2; i++)
            Assert.True(ours[i].grad!.allclose(theirs[i].grad!, rtol: 0, atol: 1e-7));
    }
}
