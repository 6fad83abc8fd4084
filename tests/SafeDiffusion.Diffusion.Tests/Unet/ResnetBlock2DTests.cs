using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

/// <summary>
/// The scale-shift time-embedding norm (ADM's adaptive GroupNorm, diffusers' <c>time_embedding_norm="scale_shift"</c>):
/// <c>norm2(h) * (1 + scale) + shift</c>, with scale and shift the two halves of the projected time embedding.
/// </summary>
public class ResnetBlock2DTests
{
    private const long Channels = 8, Temb = 12;

    public ResnetBlock2DTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Scale_shift_projects_the_time_embedding_to_twice_the_channels_under_diffusers_names()
    {
        using var resnet = Resnet(scaleShift: true);

        var shapes = resnet.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

        Assert.Equal(new[] { 2 * Channels, Temb }, shapes["time_emb_proj.weight"]);
        Assert.Equal(new[] { 2 * Channels }, shapes["time_emb_proj.bias"]);
    }

    [Fact]
    public void A_constant_scale_and_shift_act_as_a_rescaled_second_group_norm()
    {
        // With the projection's weight zero, its bias alone is the scale (first half) and the shift (second half),
        // whatever the time embedding. norm2(h) * (1 + s) + b is then a default resnet whose norm2 has weight
        // gamma * (1 + s) and bias beta * (1 + s) + b, and which adds no time embedding.
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var adaptive = Resnet(scaleShift: true);
        using var plain = Resnet(scaleShift: false);
        var scale = randn([Channels], generator: generator) * 0.5;
        var shift = randn([Channels], generator: generator);
        using (no_grad())
        {
            var a = adaptive.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var p = plain.named_parameters().ToDictionary(x => x.name, x => x.parameter);
            foreach (var (name, parameter) in a)
                if (!name.StartsWith("time_emb_proj.") && !name.StartsWith("norm2."))
                    p[name].copy_(parameter);
            a["time_emb_proj.weight"].zero_();
            a["time_emb_proj.bias"].copy_(cat([scale, shift]));
            p["time_emb_proj.weight"].zero_();
            p["time_emb_proj.bias"].zero_();
            var gamma = randn([Channels], generator: generator);
            var beta = randn([Channels], generator: generator);
            a["norm2.weight"].copy_(gamma);
            a["norm2.bias"].copy_(beta);
            p["norm2.weight"].copy_(gamma * (1 + scale));
            p["norm2.bias"].copy_(beta * (1 + scale) + shift);
        }
        var input = randn([2, Channels, 6, 6], generator: generator);
        var temb = randn([2, Temb], generator: generator);

        using var noGrad = no_grad();
        var expected = plain.Forward(input, temb);
        var actual = adaptive.Forward(input, temb);

        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"max difference {(actual - expected).abs().max().item<float>():E3}");
    }

    [Fact]
    public void Scale_shift_without_a_time_embedding_is_refused_when_built()
    {
        var error = Assert.Throws<ArgumentException>(() => new ResnetBlock2D(Channels, Channels, null, 4, 1e-5,
            ActivationFunctions.Get("silu"), 0.0, 1.0, new ModulePlacement(CPU, ScalarType.Float32), scaleShift: true));

        Assert.Contains("scale_shift", error.Message);
    }

    private static ResnetBlock2D Resnet(bool scaleShift)
    {
        torch.manual_seed(11);
        var resnet = new ResnetBlock2D(Channels, Channels, Temb, 4, 1e-5, ActivationFunctions.Get("silu"), 0.0, 1.0,
            new ModulePlacement(CPU, ScalarType.Float32), scaleShift);
        UninitialisedNorms.Reset(resnet);
        return resnet;
    }
}
