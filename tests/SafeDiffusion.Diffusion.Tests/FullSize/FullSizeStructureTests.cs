using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.FullSize;

/// <summary>
/// Every Stable Diffusion component built at full size from the released config files (FullSize/Configs, sources in
/// its README) on the meta device, which records shapes without allocating: the parameter counts must equal the
/// published ones, so a block missing or mis-sized at full size shows here without any weights.
/// </summary>
public class FullSizeStructureTests
{
    public FullSizeStructureTests() => LibTorchRuntime.EnsureLoadable();

    private static readonly Device Meta = new(DeviceType.META);

    private static string Config(string model, string component) =>
        Path.Combine(AppContext.BaseDirectory, "FullSize", "Configs", model, component, "config.json");

    private static long Count(nn.Module module)
    {
        long total = 0;
        foreach (var (_, p) in module.named_parameters())
        {
            Assert.Equal(DeviceType.META, p.device_type);
            total += p.NumberOfElements;
        }
        return total;
    }

    [Theory]
    [InlineData("sd14", PublishedParameterCounts.Sd1Unet)]
    [InlineData("sd15", PublishedParameterCounts.Sd1Unet)]
    [InlineData("sd21", PublishedParameterCounts.Sd2Unet)]
    [InlineData("sd21-base", PublishedParameterCounts.Sd2Unet)]
    public void The_unet_has_the_published_parameter_count(string model, long published)
    {
        using var unet = new UNet2DConditionModel(UNet2DConditionConfig.Read(Config(model, "unet")), Meta, ScalarType.Float32);
        Assert.Equal(published, Count(unet));
    }

    [Theory]
    [InlineData("sd14", PublishedParameterCounts.Vae)]
    [InlineData("sd15", PublishedParameterCounts.Vae)]
    [InlineData("sd21", PublishedParameterCounts.Vae)]
    [InlineData("sd21-base", PublishedParameterCounts.Vae)]
    public void The_vae_has_the_published_parameter_count(string model, long published)
    {
        using var vae = new AutoencoderKL(AutoencoderKLConfig.Read(Config(model, "vae")), Meta, ScalarType.Float32);
        Assert.Equal(published, Count(vae));
    }

    [Theory]
    [InlineData("sd14", PublishedParameterCounts.ClipVitL14TextModel)]
    [InlineData("sd21", PublishedParameterCounts.OpenClipVitH14TextModel)] // 23 of its 24 layers
    [InlineData("sd21-base", PublishedParameterCounts.OpenClipVitH14TextModel)]
    public void The_text_encoder_has_the_published_parameter_count(string model, long published)
    {
        var path = Config(model, "text_encoder");
        var config = ComponentConfig.Read<CLIPTextConfig>(path);
        config.Validate(path);
        using var encoder = new CLIPTextModel(config, Meta, ScalarType.Float32);
        Assert.Equal(published, Count(encoder));
    }

    [Theory]
    [InlineData("sd21", 768, true)]
    [InlineData("sd21-base", 512, false)]
    [InlineData("sd14", 512, false)]
    public void The_unet_config_is_read_with_its_resolution_and_attention_settings(string model, int resolution, bool upcast)
    {
        var unet = UNet2DConditionConfig.Read(Config(model, "unet"));
        var vae = AutoencoderKLConfig.Read(Config(model, "vae"));
        Assert.Equal(resolution, (unet.SampleSize ?? 64) * vae.DownscaleFactor);
        Assert.Equal(upcast, unet.UpcastAttention);
    }

    [Theory]
    [InlineData("sd14", new long[] { 320, 320, 1, 1 })]
    [InlineData("sd21", new long[] { 320, 320 })]
    public void The_unet_state_dict_has_the_checkpoints_686_tensors_and_its_projection_layout(string model, long[] projIn)
    {
        using var unet = new UNet2DConditionModel(UNet2DConditionConfig.Read(Config(model, "unet")), Meta, ScalarType.Float32);
        var state = unet.state_dict();
        Assert.Equal(686, state.Count);
        // SD 1.x projects into and out of attention with 1x1 convolutions, SD 2.x with linear layers (use_linear_projection).
        Assert.Equal(projIn, state["down_blocks.0.attentions.0.proj_in.weight"].shape);
        Assert.Equal(new long[] { 320, 4, 3, 3 }, state["conv_in.weight"].shape);
        Assert.Equal(new long[] { 1280, 320 }, state["time_embedding.linear_1.weight"].shape);
        Assert.Equal(new long[] { 1280, model == "sd14" ? 768 : 1024 }, state["mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"].shape);
    }
}
