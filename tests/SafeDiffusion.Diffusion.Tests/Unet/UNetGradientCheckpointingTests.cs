using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

/// <summary>
/// Gradient checkpointing recomputes the blocks in the backward pass: the loss, every parameter's gradient and the
/// input's gradient are those of the ordinary backward pass (the side of 10 takes the explicit upsample-size path).
/// </summary>
public class UNetGradientCheckpointingTests
{
    public UNetGradientCheckpointingTests() => LibTorchRuntime.EnsureLoadable();

    private sealed record Pass(float Loss, Dictionary<string, float[]> Gradients, float[] InputGradient);

    private static Pass Backward(UNet2DConditionModel unet, long side, bool checkpointing)
    {
        using var scope = NewDisposeScope();
        unet.train();
        unet.GradientCheckpointing = checkpointing;
        unet.zero_grad();
        var config = unet.Config;
        using var generator = new Generator(11);
        var sample = randn([2, config.InChannels, side, side], generator: generator).requires_grad_(true);
        var timesteps = tensor(new long[] { 3, 600 });
        var text = randn([2, 5, config.CrossAttentionDim.Expand(config.BlockCount)[0]], generator: generator);
        var weights = randn([2, config.OutChannels, side, side], generator: generator);

        var loss = (unet.Forward(sample, timesteps, text) * weights).mean();
        loss.backward();

        var gradients = unet.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray());
        return new Pass(loss.item<float>(), gradients, sample.grad!.data<float>().ToArray());
    }

    [Trait("Category", "Slow")]
    [Theory]
    [InlineData(SdParity.Sd1, 16)]
    [InlineData(SdParity.Sd2, 10)]
    public void Checkpointed_gradients_equal_the_ordinary_ones(string set, long side)
    {
        using var unet = UNet2DConditionModel.FromFolder(SdParity.Component(set, "unet"), ScalarType.Float32, CPU);

        var plain = Backward(unet, side, checkpointing: false);
        var checkpointed = Backward(unet, side, checkpointing: true);

        Assert.Equal(plain.Loss, checkpointed.Loss, 1e-6f);
        Assert.Equal(plain.Gradients.Keys.Order(), checkpointed.Gradients.Keys.Order());
        // A bias ahead of a group norm gets a gradient of rounding noise only: each tensor is compared at its own scale
        // or a thousandth of the largest gradient's, whichever is larger.
        float floor = 1e-3f * plain.Gradients.Values.Max(g => g.Max(MathF.Abs));
        foreach (var (name, expected) in plain.Gradients)
            AssertClose(expected, checkpointed.Gradients[name], name, floor);
        AssertClose(plain.InputGradient, checkpointed.InputGradient, "sample", floor);
        // Every block took part: a block whose parameters got no gradient would show as all zeros here.
        Assert.All(checkpointed.Gradients.Where(g => g.Key.EndsWith(".weight", StringComparison.Ordinal)),
            g => Assert.Contains(g.Value, v => v != 0));
    }

    [Fact]
    public void Checkpointing_leaves_a_sampling_pass_unchanged()
    {
        using var unet = UNet2DConditionModel.FromFolder(SdParity.Component(SdParity.Sd1, "unet"), ScalarType.Float32, CPU);
        using var scope = NewDisposeScope();
        using var generator = new Generator(12);
        var sample = randn([1, 4, 16, 16], generator: generator);
        var text = randn([1, 5, 32], generator: generator);
        using var noGrad = no_grad();

        var plain = unet.Forward(sample, 500, text).data<float>().ToArray();
        unet.GradientCheckpointing = true;
        var checkpointed = unet.Forward(sample, 500, text).data<float>().ToArray();

        Assert.Equal(plain, checkpointed);
    }

    private static void AssertClose(float[] expected, float[] actual, string name, float floor)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = Math.Max(floor, expected.Max(MathF.Abs));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"{name}[{i}]: {actual[i]} against {expected[i]} (largest {scale})");
    }
}
