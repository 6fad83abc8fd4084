using System.Text.Json.Nodes;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Unet;

/// <summary>
/// <c>addition_embed_type: "text"</c> pools the prompt into the time embedding, so every resnet hears it, and
/// <c>resnet_time_scale_shift: "scale_shift"</c> lets that embedding scale as well as shift. Shown on a UNet with no
/// cross-attention at all, where the prompt has no other way in.
/// </summary>
public class TextTimeEmbeddingTests
{
    public TextTimeEmbeddingTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Without_cross_attention_only_the_added_text_embedding_lets_the_prompt_change_the_prediction()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        var sample = randn([2, 4, 8, 8], generator: generator);
        var timesteps = tensor(new long[] { 50, 500 });
        var prompt = randn([2, 6, 8], generator: generator);
        var otherPrompt = randn([2, 6, 8], generator: generator);

        foreach (var (addition, scaleShift) in new[] { (false, false), (true, false), (true, true) })
        {
            torch.manual_seed(1);
            using var unet = new UNet2DConditionModel(ConvolutionOnly(addition, scaleShift));
            UninitialisedNorms.Reset(unet);
            using var noGrad = no_grad();
            float change = (unet.Forward(sample, timesteps, prompt) - unet.Forward(sample, timesteps, otherPrompt)).abs().max().item<float>();

            if (addition) Assert.True(change > 1e-4f, $"scale_shift {scaleShift}: the prompt changed nothing");
            else Assert.Equal(0f, change);
        }
    }

    [Fact]
    public void The_added_embedding_and_scale_shift_resnets_carry_diffusers_names_and_shapes()
    {
        using var unet = new UNet2DConditionModel(ConvolutionOnly(addition: true, scaleShift: true));

        var shapes = unet.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

        long timeEmbedDim = 8 * 4;
        Assert.Equal(new[] { 8L }, shapes["add_embedding.norm1.weight"]);
        Assert.Equal(new[] { 1L, 8 }, shapes["add_embedding.pool.positional_embedding"]);
        Assert.Equal(new[] { 8L, 8 }, shapes["add_embedding.pool.q_proj.weight"]);
        Assert.Equal(new[] { timeEmbedDim, 8 }, shapes["add_embedding.proj.weight"]);
        Assert.Equal(new[] { timeEmbedDim }, shapes["add_embedding.norm2.weight"]);
        Assert.Equal(new[] { 2 * 16L, timeEmbedDim }, shapes["down_blocks.1.resnets.0.time_emb_proj.weight"]);
    }

    [Fact]
    public void Config_json_keys_are_read_and_a_head_count_that_does_not_divide_the_text_width_names_its_key()
    {
        using var temp = new TempDirectory("unet");
        var config = new JsonObject
        {
            ["down_block_types"] = new JsonArray("DownBlock2D", "DownBlock2D"),
            ["up_block_types"] = new JsonArray("UpBlock2D", "UpBlock2D"),
            ["mid_block_type"] = null,
            ["block_out_channels"] = new JsonArray(8, 16),
            ["norm_num_groups"] = 4,
            ["cross_attention_dim"] = 8,
            ["attention_head_dim"] = 2,
            ["resnet_time_scale_shift"] = "scale_shift",
            ["addition_embed_type"] = "text",
            ["addition_embed_type_num_heads"] = 2,
        };
        File.WriteAllText(temp.File("config.json"), config.ToJsonString());

        var read = UNet2DConditionConfig.Read(temp.File("config.json"));
        Assert.Equal(("scale_shift", "text", 2), (read.ResnetTimeScaleShift, read.AdditionEmbedType, read.AdditionEmbedTypeNumHeads));

        config["addition_embed_type_num_heads"] = 3;
        File.WriteAllText(temp.File("config.json"), config.ToJsonString());
        var error = Assert.Throws<InputDataException>(() => UNet2DConditionConfig.Read(temp.File("config.json")));
        Assert.Equal("addition_embed_type_num_heads", error.Field);
        Assert.EndsWith("config.json", error.FilePath);
    }

    private static UNet2DConditionConfig ConvolutionOnly(bool addition, bool scaleShift) => new()
    {
        DownBlockTypes = [UNet2DConditionConfig.DownBlock, UNet2DConditionConfig.DownBlock],
        UpBlockTypes = [UNet2DConditionConfig.UpBlock, UNet2DConditionConfig.UpBlock],
        MidBlockType = null,
        BlockOutChannels = [8, 16],
        LayersPerBlock = IntOrList.Scalar(1),
        NormNumGroups = 4,
        CrossAttentionDim = IntOrList.Scalar(8),
        AttentionHeadDim = IntOrList.Scalar(2),
        ResnetTimeScaleShift = scaleShift ? "scale_shift" : "default",
        AdditionEmbedType = addition ? "text" : null,
        AdditionEmbedTypeNumHeads = 2,
    };
}
