using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>
/// Stable Diffusion's KL autoencoder (diffusers <c>AutoencoderKL</c>): <see cref="Encode"/> gives the latent
/// posterior of an image in [-1, 1]; <see cref="Decode"/> maps (unscaled) latents back to an image. Callers scale
/// latents by <see cref="ScalingFactor"/> themselves, as in diffusers.
/// </summary>
public sealed class AutoencoderKL : DiffusersModule
{
    private readonly Encoder _encoder;
    private readonly Decoder _decoder;
    private readonly Conv2d _quantConv;
    private readonly Conv2d _postQuantConv;

    public AutoencoderKL(AutoencoderKLConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(AutoencoderKL))
    {
        LibTorchRuntime.EnsureLoadable();
        config.Validate("config.json");
        Config = config;
        var p = new ModulePlacement(device ?? CPU, dtype ?? ScalarType.Float32);
        Device = p.Device!;
        DType = p.DType!.Value;
        _encoder = new Encoder(config, p);
        _decoder = new Decoder(config, p);
        _quantConv = nn.Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1, device: p.Device, dtype: p.DType);
        _postQuantConv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1, device: p.Device, dtype: p.DType);
        register_module("encoder", _encoder);
        register_module("decoder", _decoder);
        register_module("quant_conv", _quantConv);
        register_module("post_quant_conv", _postQuantConv);
    }

    public AutoencoderKLConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }
    public double ScalingFactor => Config.ScalingFactor;

    /// <summary>
    /// Builds the VAE of <c>config.json</c> in <paramref name="componentDirectory"/> and loads its weights. Older
    /// exports name the mid-block attention <c>query/key/value/proj_attn</c>; they load as diffusers 0.21 converts them.
    /// </summary>
    public static AutoencoderKL FromFolder(string componentDirectory, ScalarType dtype, Device device, string? variant = null)
    {
        LibTorchRuntime.EnsureLoadable();
        var config = AutoencoderKLConfig.Read(Path.Combine(componentDirectory, "config.json"));
        var model = new AutoencoderKL(config, device, dtype);
        try
        {
            ModelFolder.ComponentModuleLoader.LoadStrict(model, componentDirectory, variant, "vae", LegacyAttentionName);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The pre-0.14 name of a mid-block attention weight, or null for other weights.</summary>
    internal static string? LegacyAttentionName(string key)
    {
        if (!key.Contains("mid_block.attentions.", StringComparison.Ordinal)) return null;
        foreach (var (now, before) in LegacyPairs)
            if (key.Contains(now, StringComparison.Ordinal)) return key.Replace(now, before, StringComparison.Ordinal);
        return null;
    }

    private static readonly (string Now, string Before)[] LegacyPairs =
        [(".to_q.", ".query."), (".to_k.", ".key."), (".to_v.", ".value."), (".to_out.0.", ".proj_attn.")];

    /// <param name="image">[B, 3, H, W] in [-1, 1].</param>
    public DiagonalGaussianDistribution Encode(Tensor image)
    {
        using var scope = NewDisposeScope();
        var moments = _quantConv.forward(_encoder.Forward(image));
        return new DiagonalGaussianDistribution(moments);
    }

    /// <param name="latents">[B, latent_channels, h, w], already divided by the scaling factor.</param>
    /// <returns>[B, 3, h * f, w * f] image, nominally in [-1, 1].</returns>
    public Tensor Decode(Tensor latents)
    {
        using var scope = NewDisposeScope();
        return _decoder.Forward(_postQuantConv.forward(latents)).MoveToOuterDisposeScope();
    }
}
