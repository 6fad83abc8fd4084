using System.Text.Json.Nodes;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Verification;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

public class UNetLoadingTests
{
    public UNetLoadingTests() => LibTorchRuntime.EnsureLoadable();

    private static string UnetFolder => SdParity.Component(SdParity.Sd1, "unet");

    [Fact]
    public void The_fp16_variant_loads_into_float32_as_the_rounded_weights_and_still_predicts_closely()
    {
        using var fromHalf = UNet2DConditionModel.FromFolder(UnetFolder, ScalarType.Float32, CPU, variant: "fp16");
        using var scope = NewDisposeScope();
        using var full = SafetensorsFile.Open(Path.Combine(UnetFolder, "diffusion_pytorch_model.safetensors"));
        const string name = "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight";

        var loaded = fromHalf.state_dict()[name];
        var exact = full.Load(name);
        Assert.Equal(ScalarType.Float32, loaded.dtype);
        Assert.True(loaded.allclose(exact.to_type(ScalarType.Float16).to_type(ScalarType.Float32), rtol: 0, atol: 0));
        Assert.False(loaded.allclose(exact, rtol: 0, atol: 0), "the weights are not the fp16 file's: they equal the float32 file's");

        using var cases = CaseTensors.Open(SdParity.Case(SdParity.Sd1, "unet.safetensors"));
        using var noGrad = no_grad();
        var output = fromHalf.Forward(cases.Require("sample"), cases.Require("timestep"), cases.Require("encoder_hidden_states"));
        var result = cases.Compare("out", output, cases.Require("out"), max => 1e-2 * Math.Max(1, max));
        Assert.True(result.Passed, $"fp16 weights: max abs error {result.MaxAbsError:E3}");
    }

    [Fact]
    public void Without_the_variant_file_the_plain_weights_load()
    {
        using var temp = new TempDirectory("unet");
        File.Copy(Path.Combine(UnetFolder, "config.json"), temp.File("config.json"));
        File.Copy(Path.Combine(UnetFolder, "diffusion_pytorch_model.safetensors"), temp.File("diffusion_pytorch_model.safetensors"));

        using var unet = UNet2DConditionModel.FromFolder(temp.Path, ScalarType.Float32, CPU, variant: "fp16");

        Assert.Equal(4, unet.Config.InChannels);
    }

    [Fact]
    public void Weights_of_another_shape_than_the_config_names_the_file_and_tensor()
    {
        using var temp = ModifiedUnet(config => config["cross_attention_dim"] = 48);

        var error = Assert.Throws<InputDataException>(() => UNet2DConditionModel.FromFolder(temp.Path, ScalarType.Float32, CPU));

        Assert.EndsWith("diffusion_pytorch_model.safetensors", error.FilePath);
        // The first cross-attention key projection maps the 32-wide text to 32 channels; the config now says 48.
        Assert.Equal("tensor 'down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight'", error.Field);
        Assert.Contains("[32, 32]", error.Message);
        Assert.Contains("[32, 48]", error.Message);
    }

    [Fact]
    public void Weights_for_a_block_the_config_does_not_have_are_refused()
    {
        using var temp = ModifiedUnet(config => config["mid_block_type"] = null);

        var error = Assert.Throws<InputDataException>(() => UNet2DConditionModel.FromFolder(temp.Path, ScalarType.Float32, CPU));

        Assert.EndsWith("diffusion_pytorch_model.safetensors", error.FilePath);
        Assert.Contains("has no place for", error.Message);
        Assert.StartsWith("tensor 'mid_block.", error.Field);
    }

    [Fact]
    public void A_layer_count_that_differs_from_the_weights_is_an_input_error_naming_a_tensor()
    {
        using var temp = ModifiedUnet(config => config["layers_per_block"] = 1);

        var error = Assert.Throws<InputDataException>(() => UNet2DConditionModel.FromFolder(temp.Path, ScalarType.Float32, CPU));

        Assert.EndsWith("diffusion_pytorch_model.safetensors", error.FilePath);
        Assert.StartsWith("tensor '", error.Field);
    }

    [Fact]
    public void An_unsupported_block_type_names_config_and_key()
    {
        using var temp = ModifiedUnet(config => config["down_block_types"]![0] = "SimpleCrossAttnDownBlock2D");

        var error = Assert.Throws<InputDataException>(() => UNet2DConditionModel.FromFolder(temp.Path, ScalarType.Float32, CPU));

        Assert.EndsWith("config.json", error.FilePath);
        Assert.Equal("down_block_types", error.Field);
    }

    private static TempDirectory ModifiedUnet(Action<JsonObject> change)
    {
        var temp = new TempDirectory("unet");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(UnetFolder, "config.json")))!.AsObject();
        change(config);
        File.WriteAllText(temp.File("config.json"), config.ToJsonString());
        File.Copy(Path.Combine(UnetFolder, "diffusion_pytorch_model.safetensors"), temp.File("diffusion_pytorch_model.safetensors"));
        return temp;
    }
}
