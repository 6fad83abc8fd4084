using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Checkpoints;
using SafeDiffusion.Training.Tests.Support;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Checkpoints;

public sealed class DiffusersModelWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new("writer");

    public DiffusersModelWriterTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(FrozenComponentMode.HardLink)]
    [InlineData(FrozenComponentMode.Copy)]
    [InlineData(FrozenComponentMode.SymbolicLink)]
    public void Every_way_of_providing_the_frozen_components_gives_a_folder_the_loaders_read(FrozenComponentMode mode)
    {
        using var unet = UNet2DConditionModel.FromFolder(Path.Combine(TinySd.Sd1, "unet"), ScalarType.Float32, CPU);
        var output = _dir.File("model");

        DiffusersModelWriter.Write(output, TinySd.Sd1, new Dictionary<string, nn.Module> { ["unet"] = unet }, mode);

        Assert.Equal(["model_index.json"], Directory.GetFiles(output).Select(Path.GetFileName));
        Assert.Equal(["scheduler", "text_encoder", "tokenizer", "unet", "vae"], Directory.GetDirectories(output).Select(Path.GetFileName).Order());
        Assert.Equal(["config.json", "diffusion_pytorch_model.safetensors"], Directory.GetFiles(Path.Combine(output, "unet")).Select(Path.GetFileName).Order());
        bool linked = new DirectoryInfo(Path.Combine(output, "vae")).LinkTarget is not null;
        Assert.Equal(mode == FrozenComponentMode.SymbolicLink, linked);
        using var models = StableDiffusionModels.Load(output, ScalarType.Float32, CPU);
        using var text = ClipTextConditioner.FromModelFolder(output, ScalarType.Float32, CPU);
        Assert.Equal(File.ReadAllBytes(Path.Combine(TinySd.Sd1, "tokenizer", "vocab.json")), File.ReadAllBytes(Path.Combine(output, "tokenizer", "vocab.json")));
    }

    [Fact]
    public void Writing_over_an_existing_model_replaces_it_whole_and_leaves_no_temp_folders()
    {
        using var unet = UNet2DConditionModel.FromFolder(Path.Combine(TinySd.Sd1, "unet"), ScalarType.Float32, CPU);
        var output = _dir.File("model");
        Directory.CreateDirectory(Path.Combine(output, "stale"));
        File.WriteAllText(Path.Combine(output, "stale", "file.txt"), "old");

        DiffusersModelWriter.Write(output, TinySd.Sd1, new Dictionary<string, nn.Module> { ["unet"] = unet }, FrozenComponentMode.Copy);

        Assert.False(Directory.Exists(Path.Combine(output, "stale")));
        Assert.Equal(["model"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_base_folder_without_model_index_is_refused_with_the_folder_named()
    {
        using var unet = UNet2DConditionModel.FromFolder(Path.Combine(TinySd.Sd1, "unet"), ScalarType.Float32, CPU);
        var error = Assert.Throws<Core.Errors.InputDataException>(() =>
            DiffusersModelWriter.Write(_dir.File("model"), _dir.Path, new Dictionary<string, nn.Module> { ["unet"] = unet }, FrozenComponentMode.Copy));
        Assert.Contains("model_index.json", error.Message, StringComparison.Ordinal);
    }
}
