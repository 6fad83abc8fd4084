using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Vision;

public class CLIPVisionTowerTests
{
    public CLIPVisionTowerTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Safety_checker_vision_tower_matches_the_reference_hidden_states_pooled_output_and_embeddings()
    {
        var root = SharedFixtures.Path("safety-checker", "tiny-safety-checker");
        using var checker = StableDiffusionSafetyChecker.FromFolder(Path.Combine(root, "model", "safety_checker"), ScalarType.Float32, torch.CPU);
        using var cases = SafetensorsFile.Open(Path.Combine(root, "cases", "clip_vision.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var pixels = cases.Load("pixel_values");
        using var vision = checker.VisionModel.forward(pixels);
        AssertClose(cases.Load("last_hidden_state"), vision.LastHiddenState);
        AssertClose(cases.Load("pooled_output"), vision.PooledOutput);
        AssertClose(cases.Load("image_embeds"), checker.forward(pixels));
    }

    [Fact]
    public void Images_of_the_wrong_size_are_refused_before_the_convolution()
    {
        var root = SharedFixtures.Path("safety-checker", "tiny-safety-checker");
        using var checker = StableDiffusionSafetyChecker.FromFolder(Path.Combine(root, "model", "safety_checker"), ScalarType.Float32, torch.CPU);
        using var pixels = torch.zeros(1, 3, 64, 64);
        var e = Assert.Throws<ArgumentException>(() => checker.forward(pixels));
        Assert.Contains("32x32", e.Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double tolerance = 1e-4 * Math.Max(1.0, expected.abs().max().item<float>());
        double error = (actual - expected).abs().max().item<float>();
        Assert.True(error <= tolerance, $"max |error| {error} > {tolerance}");
    }
}
