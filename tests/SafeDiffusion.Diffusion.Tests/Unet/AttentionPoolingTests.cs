using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

/// <summary>
/// diffusers' <c>AttentionPooling</c>: the mean token plus a learned position asks, head by head, over itself and every
/// token; the heads' answers, side by side, are the pooled vector.
/// </summary>
public class AttentionPoolingTests
{
    private const int Heads = 4;
    private const long Width = 16, Tokens = 5;

    public AttentionPoolingTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Each_head_is_single_query_attention_over_the_mean_token_and_every_token()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var pooling = new AttentionPooling(Heads, Width, new ModulePlacement(CPU, ScalarType.Float32));
        using var generator = new Generator(8);
        var x = randn([2, Tokens, Width], generator: generator);
        var p = pooling.named_parameters().ToDictionary(n => n.name, n => n.parameter);

        using var noGrad = no_grad();
        var actual = pooling.Forward(x);

        // Written out as textbook attention, one batch item and one head at a time.
        long perHead = Width / Heads;
        for (int b = 0; b < 2; b++)
        {
            var tokens = x[b];
            var query = tokens.mean([0]) + p["positional_embedding"][0];
            var all = cat([query.unsqueeze(0), tokens]);
            var q = nn.functional.linear(query, p["q_proj.weight"], p["q_proj.bias"]);
            var k = nn.functional.linear(all, p["k_proj.weight"], p["k_proj.bias"]);
            var v = nn.functional.linear(all, p["v_proj.weight"], p["v_proj.bias"]);
            for (int h = 0; h < Heads; h++)
            {
                var slice = TensorIndex.Slice(h * perHead, (h + 1) * perHead);
                var weights = (k[.., slice].matmul(q[slice]) / Math.Sqrt(perHead)).softmax(0);
                var expected = weights.matmul(v[.., slice]);
                var got = actual[b, slice];
                Assert.True(got.allclose(expected, rtol: 1e-5, atol: 1e-6), $"item {b}, head {h}: {(got - expected).abs().max().item<float>():E3}");
            }
        }
    }

    [Fact]
    public void Parameters_carry_diffusers_names_and_shapes()
    {
        using var pooling = new AttentionPooling(Heads, Width, new ModulePlacement(CPU, ScalarType.Float32));

        var shapes = pooling.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

        Assert.Equal(new[] { 1L, Width }, shapes["positional_embedding"]);
        foreach (var name in new[] { "q_proj", "k_proj", "v_proj" })
            Assert.Equal(new[] { Width, Width }, shapes[$"{name}.weight"]);
        Assert.Equal(7, shapes.Count);
    }

    [Fact]
    public void Heads_that_do_not_divide_the_width_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new AttentionPooling(3, Width, new ModulePlacement(CPU, ScalarType.Float32)));

        Assert.Contains("3 heads", error.Message);
    }
}
