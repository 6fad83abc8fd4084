using SafeDiffusion.Images.Generation;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Images.Tests.Generation;

public sealed class ModelIdentityTests : IDisposable
{
    private readonly TempDirectory _dir = new("model-identity");

    /// <summary>A diffusers-shaped folder: model_index.json, a component config and weights, plus a report at the top.</summary>
    private string Folder(string name, string unetConfig = """{"block_out_channels": [32, 64]}""", string report = """{"seconds": 449.7}""")
    {
        var folder = _dir.File(name);
        Directory.CreateDirectory(Path.Combine(folder, "unet"));
        File.WriteAllText(Path.Combine(folder, "model_index.json"), """{"_class_name": "StableDiffusionPipeline"}""");
        File.WriteAllText(Path.Combine(folder, "unet", "config.json"), unetConfig);
        File.WriteAllBytes(Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"), [8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8, 1, 2, 3, 4]);
        File.WriteAllText(Path.Combine(folder, "pretraining.json"), report);
        return folder;
    }

    [Fact]
    public void The_same_model_rebuilt_with_other_timings_in_its_reports_keeps_its_identity()
    {
        var first = ModelIdentity.Of(Folder(Path.Combine("a", "base")));
        var rebuilt = ModelIdentity.Of(Folder(Path.Combine("b", "base"), report: """{"seconds": 431.2}"""));

        Assert.Equal(first, rebuilt);
        Assert.StartsWith("base@", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_component_config_is_another_model()
    {
        var first = ModelIdentity.Of(Folder(Path.Combine("a", "base")));
        var other = ModelIdentity.Of(Folder(Path.Combine("b", "base"), unetConfig: """{"block_out_channels": [48, 96]}"""));

        Assert.NotEqual(first, other);
    }

    public void Dispose() => _dir.Dispose();
}
