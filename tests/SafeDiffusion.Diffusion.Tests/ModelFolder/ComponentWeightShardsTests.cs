using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Diffusion.Tests.ModelFolder;

/// <summary>A sharded checkpoint's index is foreign input: the shards it names must be files of the component folder.</summary>
public class ComponentWeightShardsTests
{
    private static string Component(TempDirectory dir, string weightMapJson)
    {
        var component = dir.File("model", "unet");
        Directory.CreateDirectory(component);
        File.WriteAllText(Path.Combine(component, "diffusion_pytorch_model.safetensors.index.json"),
            $$"""{"metadata": {}, "weight_map": {{weightMapJson}}}""");
        return component;
    }

    [Fact]
    public void Shards_beside_the_index_are_listed_in_order()
    {
        using var dir = new TempDirectory();
        var component = Component(dir, """{"a": "s-00002.safetensors", "b": "s-00001.safetensors", "c": "s-00001.safetensors"}""");
        File.WriteAllBytes(Path.Combine(component, "s-00001.safetensors"), []);
        File.WriteAllBytes(Path.Combine(component, "s-00002.safetensors"), []);

        Assert.Equal([Path.Combine(component, "s-00001.safetensors"), Path.Combine(component, "s-00002.safetensors")],
            ComponentWeights.Locate(component));
    }

    [Theory]
    [InlineData("../secret.safetensors")]
    [InlineData("../../model/unet/../secret.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/s.safetensors")]
    [InlineData("..")]
    [InlineData("")]
    public void A_shard_name_that_leaves_the_component_folder_is_refused(string name)
    {
        using var dir = new TempDirectory();
        var component = Component(dir, $$"""{"a": "{{name}}"}""");
        File.WriteAllBytes(dir.File("model", "secret.safetensors"), []);
        Directory.CreateDirectory(Path.Combine(component, "sub"));
        File.WriteAllBytes(Path.Combine(component, "sub", "s.safetensors"), []);

        var e = Assert.Throws<InputDataException>(() => ComponentWeights.Locate(component));
        Assert.Contains("index.json", e.Message);
        Assert.Contains("weight_map", e.Message);
    }

    [Fact]
    public void A_shard_that_links_outside_the_component_folder_is_refused()
    {
        using var dir = new TempDirectory();
        var component = Component(dir, """{"a": "s.safetensors"}""");
        File.WriteAllBytes(dir.File("outside.safetensors"), []);
        File.CreateSymbolicLink(Path.Combine(component, "s.safetensors"), dir.File("outside.safetensors"));

        var e = Assert.Throws<InputDataException>(() => ComponentWeights.Locate(component));
        Assert.Contains("outside the component folder", e.Message);
    }

    [Fact]
    public void A_shard_that_links_within_the_component_folder_is_accepted()
    {
        using var dir = new TempDirectory();
        var component = Component(dir, """{"a": "s.safetensors"}""");
        File.WriteAllBytes(Path.Combine(component, "real.bin.safetensors"), []);
        File.CreateSymbolicLink(Path.Combine(component, "s.safetensors"), "real.bin.safetensors");

        Assert.Equal([Path.Combine(component, "s.safetensors")], ComponentWeights.Locate(component));
    }

    [Fact]
    public void A_shard_name_that_is_not_a_string_is_an_input_error()
    {
        using var dir = new TempDirectory();
        var component = Component(dir, """{"a": 7}""");
        var e = Assert.Throws<InputDataException>(() => ComponentWeights.Locate(component));
        Assert.Contains("'a'", e.Message);
    }
}
