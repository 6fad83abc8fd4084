using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = SafeDiffusion.Training.Optimization.AdamW;

namespace SafeDiffusion.Training.Tests.Optimization;

public sealed class AdamWTests
{
    public AdamWTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void One_step_decays_the_weight_then_moves_it_by_the_bias_corrected_ratio()
    {
        // p = 1, g = 0.5, lr = 0.1, wd = 0.01: decay to 0.999; m = 0.05, v = 0.00025; bias corrections 0.1 and 0.001,
        // so the step is lr / 0.1 * 0.05 / (sqrt(0.00025 / 0.001) + eps) = 1.0 * 0.05 / 0.5 = 0.1, giving 0.899.
        using var p = new Parameter(tensor(new[] { 1f }));
        p.grad = tensor(new[] { 0.5f });
        using var adam = new AdamW([("w", p)], new AdamWSettings { WeightDecay = 0.01 });

        adam.Step(0.1);

        Assert.Equal(0.899, p.data<float>()[0], 1e-6);
        Assert.Equal(1, adam.StepCount);
    }

    [Fact]
    public void Several_steps_match_libtorch_AdamW()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var start = randn([5, 3], generator: generator);
        var grads = Enumerable.Range(0, 4).Select(_ => randn([5, 3], generator: generator)).ToList();
        var ours = new Parameter(start.clone());
        var theirs = new Parameter(start.clone());
        var settings = new AdamWSettings { Beta1 = 0.8, Beta2 = 0.95, Epsilon = 1e-6, WeightDecay = 0.05 };
        using var adam = new AdamW([("w", ours)], settings);
        var reference = optim.AdamW([theirs], lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.05);

        foreach (var g in grads)
        {
            ours.grad = g.clone();
            theirs.grad = g.clone();
            adam.Step(0.01);
            reference.step();
        }

        double difference = (ours - theirs).abs().max().item<float>();
        Assert.True(difference < 1e-6, $"differs from libtorch's AdamW by {difference}");
    }

    [Fact]
    public void Restored_state_continues_exactly_like_the_uninterrupted_optimizer()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(tensor(new[] { 1f, -2f }));
        var b = new Parameter(tensor(new[] { 1f, -2f }));
        using var first = new AdamW([("w", a)], new AdamWSettings());
        a.grad = tensor(new[] { 0.3f, 0.1f });
        first.Step(0.01);
        using var restored = new AdamW([("w", b)], new AdamWSettings());
        using (no_grad()) b.copy_(a);
        restored.LoadState(first.StepCount, first.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value));

        a.grad = tensor(new[] { -0.2f, 0.4f });
        b.grad = tensor(new[] { -0.2f, 0.4f });
        first.Step(0.01);
        restored.Step(0.01);

        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
    }
}
