using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Optimization;

public sealed class MuonTests
{
    public MuonTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Orthogonalising_a_random_matrix_gives_about_its_polar_factor()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var g = randn([16, 40], generator: generator);
        var (u, _, vh) = linalg.svd(g, fullMatrices: false);
        var polar = u.matmul(vh);

        var x = Muon.Orthogonalise(g, steps: 5);

        // Five steps of the quintic leave singular values between about 0.7 and 1.2, not exactly 1, so the result
        // is near U V^T in direction, with every singular value brought close to one.
        var singular = linalg.svdvals(x);
        Assert.InRange(singular.min().item<float>(), 0.6f, 1.0f);
        Assert.InRange(singular.max().item<float>(), 1.0f, 1.3f);
        double cosine = (x * polar).sum().item<float>() / (x.norm().item<float>() * polar.norm().item<float>());
        Assert.True(cosine > 0.97, $"cosine with U V^T is {cosine}");
    }

    [Fact]
    public void A_tall_matrix_is_orthogonalised_through_its_transpose()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        var g = randn([40, 16], generator: generator);

        var x = Muon.Orthogonalise(g, steps: 5);

        Assert.Equal(new long[] { 40, 16 }, x.shape);
        Assert.True((x - Muon.Orthogonalise(g.t(), steps: 5).t()).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void A_step_moves_a_kernel_against_the_orthogonalised_gradient_with_the_Moonlight_scale()
    {
        // The gradient is 3 Q for an orthogonal Q (a permutation), reshaped as a [4, 1, 2, 2] kernel: every
        // singular value of the momentum is equal, so the Newton-Schulz iteration acts on each alike, starting from
        // 1 / sqrt(4) after the Frobenius normalisation. The update is then lr * 0.2 * sqrt(4) * s5 * Q, where s5 is
        // five steps of s -> 3.4445 s - 4.7750 s^3 + 2.0315 s^5.
        using var scope = NewDisposeScope();
        var q = tensor(new float[] { 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0 }).reshape(4, 4);
        var start = full([4, 1, 2, 2], 0.5f);
        using var p = new Parameter(start.clone());
        p.grad = (q * 3).reshape(4, 1, 2, 2);
        using var muon = new Muon([("conv.weight", p)], new MuonSettings { WeightDecay = 0.1 });

        muon.Step(0.01);

        double s = 0.5;
        for (int i = 0; i < 5; i++) s = 3.4445 * s - 4.7750 * s * s * s + 2.0315 * Math.Pow(s, 5);
        var expected = start * (1 - 0.01 * 0.1) - (q * (0.01 * 0.2 * 2 * s)).reshape(4, 1, 2, 2);
        Assert.True((p - expected).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Momentum_carries_the_previous_gradient_into_the_next_update()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var g1 = randn([6, 6], generator: generator);
        var g2 = randn([6, 6], generator: generator);
        using var p = new Parameter(zeros(6, 6));
        using var muon = new Muon([("w", p)], new MuonSettings { WeightDecay = 0, Nesterov = false, Momentum = 0.9 });

        p.grad = g1.clone();
        muon.Step(1.0);
        var afterFirst = p.detach().clone();
        p.grad = g2.clone();
        muon.Step(1.0);

        // Without Nesterov the second update follows the buffer 0.9 * 0.1 g1 + 0.1 g2 (orthogonalisation ignores its scale).
        var second = p.detach() - afterFirst;
        var expected = -Muon.Orthogonalise(g1 * 0.9 + g2, 5) * (0.2 * Math.Sqrt(6));
        Assert.True((second - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Shares_run_on_two_threads_make_the_same_update_as_one_step()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(10);
        var shapes = new long[][] { [8, 4, 3, 3], [16, 8], [4, 4], [32, 16], [8, 8, 1, 1] };
        var starts = shapes.Select(s => randn(s, generator: generator)).ToList();
        var grads = shapes.Select(s => randn(s, generator: generator)).ToList();
        var whole = starts.Select((t, i) => (Name: $"w{i}", Parameter: new Parameter(t.clone()))).ToList();
        var shared = starts.Select((t, i) => (Name: $"w{i}", Parameter: new Parameter(t.clone()))).ToList();
        using var one = new Muon(whole, new MuonSettings());
        using var two = new Muon(shared, new MuonSettings());
        for (int i = 0; i < shapes.Length; i++)
        {
            whole[i].Parameter.grad = grads[i].clone();
            shared[i].Parameter.grad = grads[i].clone();
        }

        one.Step(0.05);
        var before = shared.Select(p => p.Parameter.detach().clone()).ToList();
        Parallel.For(0, 2, share => two.Step(0.05, share, 2));

        for (int i = 0; i < shapes.Length; i++)
        {
            Assert.True((whole[i].Parameter - shared[i].Parameter).abs().max().item<float>() < 1e-6, $"parameter {i} differs");
            Assert.True((shared[i].Parameter - before[i]).abs().max().item<float>() > 1e-4, $"parameter {i} was not updated");
        }
    }

    [Fact]
    public void Vectors_are_refused_and_left_to_AdamW()
    {
        using var bias = new Parameter(zeros(4));

        var error = Assert.Throws<ArgumentException>(() => new Muon([("layer.bias", bias)], new MuonSettings()));
        Assert.Contains("layer.bias", error.Message);
        Assert.False(MuonSettings.Accepts("layer.bias", 1, []));
        Assert.True(MuonSettings.Accepts("down.conv.weight", 4, ["conv_in."]));
        Assert.False(MuonSettings.Accepts("conv_in.weight", 4, ["conv_in."]));
    }
}
