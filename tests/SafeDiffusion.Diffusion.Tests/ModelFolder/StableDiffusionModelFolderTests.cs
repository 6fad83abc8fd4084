using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.ModelFolder;

public class StableDiffusionModelFolderTests
{
    public StableDiffusionModelFolderTests() => LibTorchRuntime.EnsureLoadable();

    private static string Sd1 => SharedFixtures.Path("sd-parity", "tiny-sd1", "model");

    [Fact]
    public void Model_index_components_are_parsed_with_null_entries_kept_but_not_declared()
    {
        var folder = StableDiffusionModelFolder.Open(Sd1);
        Assert.Equal("StableDiffusionPipeline", folder.PipelineClass);
        Assert.Equal("0.21.0", folder.DiffusersVersion);
        Assert.Equal(new ModelComponentEntry("text_encoder", "transformers", "CLIPTextModel"), folder.Components["text_encoder"]);
        Assert.Equal(new ModelComponentEntry("scheduler", "diffusers", "PNDMScheduler"), folder.Components["scheduler"]);
        Assert.False(folder.Components["safety_checker"].IsDeclared);
        Assert.True(folder.Has(StableDiffusionComponents.Unet));
        Assert.False(folder.Has(StableDiffusionComponents.SafetyChecker));
        Assert.Equal(Path.Combine(folder.Path, "tokenizer"), folder.ComponentDirectory(StableDiffusionComponents.Tokenizer));
    }

    [Fact]
    public void A_folder_without_model_index_names_the_folder_and_the_fix()
    {
        using var dir = new TempDirectory("model");
        var e = Assert.Throws<InputDataException>(() => StableDiffusionModelFolder.Open(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("not a diffusers model folder: model_index.json is missing", e.Message);
        Assert.Contains("--model", e.Message);
        Assert.Equal(ExitCodes.InputData, e.ExitCode);
    }

    [Fact]
    public void Asking_for_a_component_saved_as_null_is_an_input_error()
    {
        var folder = StableDiffusionModelFolder.Open(Sd1);
        var e = Assert.Throws<InputDataException>(() => folder.ComponentDirectory(StableDiffusionComponents.SafetyChecker));
        Assert.Contains("model_index.json", e.Message);
        Assert.Contains("safety_checker", e.Message);
    }

    [Fact]
    public void Component_configs_are_read_through_the_folder()
    {
        var config = StableDiffusionModelFolder.Open(Sd1).ReadConfig<CLIPTextConfig>(StableDiffusionComponents.TextEncoder);
        Assert.Equal("quick_gelu", config.HiddenAct);
        Assert.Equal(32, config.HiddenSize);
        Assert.Equal(3, config.NumHiddenLayers);
    }

    [Fact]
    public void The_fp16_variant_is_opened_when_asked_for_and_the_plain_file_otherwise()
    {
        var folder = StableDiffusionModelFolder.Open(Sd1);
        var fp16 = folder.OpenWeights(StableDiffusionComponents.Unet, "fp16");
        var plain = folder.OpenWeights(StableDiffusionComponents.Unet);
        try
        {
            Assert.EndsWith("diffusion_pytorch_model.fp16.safetensors", Assert.Single(fp16).Path);
            Assert.EndsWith("diffusion_pytorch_model.safetensors", Assert.Single(plain).Path);
            // A variant the component lacks falls back to the plain file, as diffusers does.
            var te = folder.OpenWeights(StableDiffusionComponents.TextEncoder, "fp16");
            Assert.EndsWith("model.safetensors", Assert.Single(te).Path);
            te[0].Dispose();
        }
        finally
        {
            foreach (var f in fp16.Concat(plain)) f.Dispose();
        }
    }

    [Fact]
    public void A_bin_component_that_is_not_a_state_dict_names_the_file()
    {
        using var dir = new TempDirectory("model");
        File.Copy(Path.Combine(Sd1, "model_index.json"), dir.File("model_index.json"));
        Directory.CreateDirectory(dir.File("text_encoder"));
        File.Copy(Path.Combine(Sd1, "text_encoder", "config.json"), dir.File("text_encoder", "config.json"));
        File.WriteAllBytes(dir.File("text_encoder", "pytorch_model.bin"), [0x80, 0x02]);
        var folder = StableDiffusionModelFolder.Open(dir.Path);
        var e = Assert.Throws<InputDataException>(() => CLIPTextModel.FromFolder(folder.ComponentDirectory("text_encoder"), ScalarType.Float32, torch.CPU));
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("not a readable PyTorch state dict", e.Message);
        Assert.Equal(ExitCodes.InputData, e.ExitCode);
    }

    [Fact]
    public void A_malformed_model_index_entry_names_the_component()
    {
        using var dir = new TempDirectory("model");
        File.WriteAllText(dir.File("model_index.json"), """{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers"]}""");
        var e = Assert.Throws<InputDataException>(() => StableDiffusionModelFolder.Open(dir.Path));
        Assert.Contains("unet", e.Message);
        Assert.Contains("[library, class]", e.Message);
    }
}
