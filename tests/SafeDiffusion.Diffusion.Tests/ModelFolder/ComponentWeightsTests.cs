using System.Collections;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Testing;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.ModelFolder;

public class ComponentWeightsTests
{
    public ComponentWeightsTests() => LibTorchRuntime.EnsureLoadable();

    private static string Sd1 => SharedFixtures.Path("sd-parity", "tiny-sd1", "model");

    /// <summary>The fixture's UNet folder with only its fp16 file, as a variant-only download has it.</summary>
    private static string Fp16OnlyUnet(TempDirectory dir)
    {
        var unet = Directory.CreateDirectory(dir.File("unet")).FullName;
        File.Copy(Path.Combine(Sd1, "unet", "config.json"), Path.Combine(unet, "config.json"));
        File.Copy(Path.Combine(Sd1, "unet", "diffusion_pytorch_model.fp16.safetensors"), Path.Combine(unet, "diffusion_pytorch_model.fp16.safetensors"));
        return unet;
    }

    [Fact]
    public void An_fp16_only_component_loads_with_variant_fp16()
    {
        using var dir = new TempDirectory("fp16");
        var unet = Fp16OnlyUnet(dir);
        using var model = UNet2DConditionModel.FromFolder(unet, ScalarType.Float32, CPU, "fp16");
        using var fp16 = SafetensorsFile.Open(Path.Combine(unet, "diffusion_pytorch_model.fp16.safetensors"));
        using var expected = fp16.Load("conv_in.weight", ScalarType.Float32);
        var loaded = model.named_parameters().Single(p => p.name == "conv_in.weight").parameter;
        Assert.True(expected.Equals(loaded));
    }

    [Fact]
    public void Without_variant_an_fp16_only_component_is_refused_naming_variant_and_the_files_there()
    {
        using var dir = new TempDirectory("fp16");
        var unet = Fp16OnlyUnet(dir);
        var e = Assert.Throws<InputDataException>(() => ComponentWeights.Locate(unet));
        Assert.Contains("`variant: fp16`", e.Message);
        Assert.Contains("diffusion_pytorch_model.fp16.safetensors", e.Message);
        Assert.Contains("config.json", e.Message);
        Assert.Contains(unet, e.Message);
        Assert.Equal(ExitCodes.InputData, e.ExitCode);
    }

    [Fact]
    public void A_variant_the_folder_lacks_entirely_is_named_in_the_error()
    {
        using var dir = new TempDirectory("fp16");
        var unet = Directory.CreateDirectory(dir.File("unet")).FullName;
        File.Copy(Path.Combine(Sd1, "unet", "config.json"), Path.Combine(unet, "config.json"));
        var e = Assert.Throws<InputDataException>(() => ComponentWeights.Locate(unet, "bf16"));
        Assert.Contains("`variant: bf16`", e.Message);
        Assert.Contains("it holds config.json", e.Message);
    }

    [Fact]
    public void A_bin_only_component_loads_through_the_pickle_reader_with_the_same_weights()
    {
        using var dir = new TempDirectory("bin");
        var vae = Directory.CreateDirectory(dir.File("vae")).FullName;
        File.Copy(Path.Combine(Sd1, "vae", "config.json"), Path.Combine(vae, "config.json"));
        var tensors = new Dictionary<string, Tensor>();
        using (var source = SafetensorsFile.Open(Path.Combine(Sd1, "vae", "diffusion_pytorch_model.safetensors")))
            foreach (var name in source.Tensors.Keys) tensors[name] = source.Load(name);
        // diffusers' save_pretrained(safe_serialization=False) writes torch.save's zip format under this name.
        using (var stream = File.Create(Path.Combine(vae, "diffusion_pytorch_model.bin")))
            PyTorchPickler.PickleStateDict(stream, (IDictionary)tensors);

        Assert.EndsWith("diffusion_pytorch_model.bin", Assert.Single(ComponentWeights.Locate(vae)));
        using var fromBin = AutoencoderKL.FromFolder(vae, ScalarType.Float32, CPU);
        using var fromSafetensors = AutoencoderKL.FromFolder(Path.Combine(Sd1, "vae"), ScalarType.Float32, CPU);
        var expected = fromSafetensors.state_dict();
        var actual = fromBin.state_dict();
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected) Assert.True(value.Equals(actual[name]), $"{name} differs");
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void Safetensors_win_over_a_bin_beside_them()
    {
        using var dir = new TempDirectory("both");
        File.WriteAllBytes(dir.File("diffusion_pytorch_model.bin"), [0x80, 0x02]);
        File.Copy(Path.Combine(Sd1, "vae", "diffusion_pytorch_model.safetensors"), dir.File("diffusion_pytorch_model.safetensors"));
        Assert.EndsWith("diffusion_pytorch_model.safetensors", Assert.Single(ComponentWeights.Locate(dir.Path)));
    }

    [Fact]
    public void The_temporary_copy_of_a_bin_is_deleted_when_its_file_is_disposed()
    {
        using var dir = new TempDirectory("bin");
        var tensors = new Dictionary<string, Tensor> { ["w"] = torch.arange(6, ScalarType.Float16).reshape(2, 3) };
        using (var stream = File.Create(dir.File("pytorch_model.fp16.bin"))) PyTorchPickler.PickleStateDict(stream, (IDictionary)tensors);
        var files = ComponentWeights.Open(dir.Path, "fp16");
        var copy = Assert.Single(files);
        Assert.True(File.Exists(copy.Path));
        Assert.Equal(ScalarType.Float16, copy.Load("w").dtype);
        copy.Dispose();
        Assert.False(File.Exists(copy.Path));
    }
}
