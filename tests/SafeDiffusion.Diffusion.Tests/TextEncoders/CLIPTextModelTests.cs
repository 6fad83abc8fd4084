using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.TextEncoders;

public class CLIPTextModelTests
{
    public CLIPTextModelTests() => LibTorchRuntime.EnsureLoadable();

    private static string EncoderDir(string set) => SharedFixtures.Path("sd-parity", set, "model", "text_encoder");

    [Theory]
    [InlineData("tiny-sd1")] // quick_gelu
    [InlineData("tiny-sd2")] // gelu
    public void Text_encoder_matches_the_reference_last_hidden_state_within_tolerance(string set)
    {
        using var model = CLIPTextModel.FromFolder(EncoderDir(set), ScalarType.Float32, torch.CPU);
        using var cases = SafetensorsFile.Open(SharedFixtures.Path("sd-parity", set, "cases", "text_encoder.safetensors"));
        using var scope = torch.NewDisposeScope();
        var ids = cases.Load("input_ids");
        var expected = cases.Load("last_hidden_state");
        var actual = model.Encode(ids);

        Assert.Equal(expected.shape, actual.shape);
        double tolerance = 1e-4 * Math.Max(1.0, expected.abs().max().item<float>());
        double error = (actual - expected).abs().max().item<float>();
        Assert.True(error <= tolerance, $"max |error| {error} > {tolerance}");
    }

    [Fact]
    public void Pooled_output_is_the_final_state_at_the_first_end_token()
    {
        using var model = CLIPTextModel.FromFolder(EncoderDir("tiny-sd2"), ScalarType.Float32, torch.CPU);
        using var scope = torch.NewDisposeScope();
        // SD2 pads with id 0, so the end token (49407) sits at position 3 for row 0 and 5 for row 1.
        var ids = torch.zeros(2, 77, ScalarType.Int64);
        ids[0, 0] = 49406; ids[0, 1] = 320; ids[0, 2] = 1125; ids[0, 3] = 49407;
        ids[1, 0] = 49406; ids[1, 1] = 320; ids[1, 2] = 320; ids[1, 3] = 320; ids[1, 4] = 320; ids[1, 5] = 49407;
        using var output = model.forward(ids);
        Assert.Equal(new long[] { 2, 48 }, output.PooledOutput.shape);
        Assert.True(torch.allclose(output.PooledOutput[0], output.LastHiddenState[0, 3], rtol: 0, atol: 0));
        Assert.True(torch.allclose(output.PooledOutput[1], output.LastHiddenState[1, 5], rtol: 0, atol: 0));
    }

    [Fact]
    public void Causal_attention_makes_a_prefix_independent_of_later_tokens()
    {
        using var model = CLIPTextModel.FromFolder(EncoderDir("tiny-sd1"), ScalarType.Float32, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new long[] { 49406, 320, 1125, 49407, 49407, 49407 }).unsqueeze(0);
        var b = torch.tensor(new long[] { 49406, 320, 1125, 539, 550, 49407 }).unsqueeze(0);
        var ha = model.Encode(a);
        var hb = model.Encode(b);
        Assert.True(torch.allclose(ha[.., ..3], hb[.., ..3], rtol: 0, atol: 1e-6));
        Assert.False(torch.allclose(ha[.., 3..], hb[.., 3..], rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_padding_attention_mask_leaves_real_tokens_unchanged_under_causal_attention()
    {
        using var model = CLIPTextModel.FromFolder(EncoderDir("tiny-sd1"), ScalarType.Float32, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new long[] { 49406, 320, 1125, 49407, 49407, 49407 }).unsqueeze(0);
        var mask = torch.tensor(new long[] { 1, 1, 1, 1, 0, 0 }).unsqueeze(0);
        using var plain = model.forward(ids);
        using var masked = model.forward(ids, mask);
        Assert.True(torch.allclose(plain.LastHiddenState[.., ..4], masked.LastHiddenState[.., ..4], rtol: 0, atol: 1e-5));
        Assert.True(torch.allclose(plain.PooledOutput, masked.PooledOutput, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Missing_weights_are_refused_naming_the_file_and_a_weight()
    {
        using var dir = new TempDirectory("te");
        File.Copy(Path.Combine(EncoderDir("tiny-sd1"), "config.json"), dir.File("config.json"));
        using (var source = SafetensorsFile.Open(Path.Combine(EncoderDir("tiny-sd1"), "model.safetensors")))
        using (var scope = torch.NewDisposeScope())
        {
            var kept = source.Tensors.Keys.Where(k => k != "text_model.final_layer_norm.weight").ToDictionary(k => k, k => source.Load(k));
            SafetensorsWriter.Write(dir.File("model.safetensors"), kept);
        }
        var e = Assert.Throws<InputDataException>(() => CLIPTextModel.FromFolder(dir.Path, ScalarType.Float32, torch.CPU));
        Assert.Contains("text_model.final_layer_norm.weight", e.Message);
        Assert.Contains(dir.File("model.safetensors"), e.Message);
    }

    [Fact]
    public void An_unknown_activation_is_an_input_error_naming_hidden_act()
    {
        using var dir = new TempDirectory("te");
        File.WriteAllText(dir.File("config.json"), """{"hidden_size": 32, "num_attention_heads": 4, "hidden_act": "swish_deluxe"}""");
        var e = Assert.Throws<InputDataException>(() => CLIPTextModel.FromFolder(dir.Path, ScalarType.Float32, torch.CPU));
        Assert.Contains("hidden_act", e.Message);
        Assert.Contains("swish_deluxe", e.Message);
    }

    [Fact]
    public void Loads_in_bfloat16_close_to_float32()
    {
        using var f32 = CLIPTextModel.FromFolder(EncoderDir("tiny-sd1"), ScalarType.Float32, torch.CPU);
        using var bf16 = CLIPTextModel.FromFolder(EncoderDir("tiny-sd1"), ScalarType.BFloat16, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new long[] { 49406, 320, 1125, 539, 550, 49407 }).unsqueeze(0);
        var a = f32.Encode(ids);
        var b = bf16.Encode(ids);
        Assert.Equal(ScalarType.BFloat16, b.dtype);
        Assert.True(torch.allclose(a, b.to(ScalarType.Float32), rtol: 0.05, atol: 0.1));
    }

    [Fact]
    public void The_mlp_width_follows_the_weights_when_the_config_states_another()
    {
        // tiny-sd2's config.json says intermediate_size 96; its fc1/fc2 weights are 192 wide (openai/CLIP's 4 x 48).
        using var model = CLIPTextModel.FromFolder(EncoderDir("tiny-sd2"), ScalarType.Float32, torch.CPU);
        Assert.Equal(192, model.Config.IntermediateSize);
    }

    [Fact]
    public void Any_other_size_disagreement_is_refused_naming_tensor_and_shapes()
    {
        using var dir = new TempDirectory("te");
        File.WriteAllText(dir.File("config.json"), File.ReadAllText(Path.Combine(EncoderDir("tiny-sd1"), "config.json"))
            .Replace("\"max_position_embeddings\": 77", "\"max_position_embeddings\": 64"));
        File.Copy(Path.Combine(EncoderDir("tiny-sd1"), "model.safetensors"), dir.File("model.safetensors"));
        var e = Assert.Throws<InputDataException>(() => CLIPTextModel.FromFolder(dir.Path, ScalarType.Float32, torch.CPU));
        Assert.Contains("position_embedding.weight", e.Message);
        Assert.Contains("[77, 32]", e.Message);
    }
}
