using SafeDiffusion.Diffusion.TextEncoders;
using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// transformers' <c>CLIPVisionTransformer</c> (the <c>vision_model</c> of CLIPVisionModel and CLIPModel):
/// embeddings, <c>pre_layrnorm</c> (transformers' spelling, kept so weights load by name), encoder,
/// <c>post_layernorm</c> on the class token.
/// </summary>
public sealed class CLIPVisionTransformer : nn.Module<Tensor, CLIPVisionOutput>
{
    [ComponentName(Name = "embeddings")]
    private readonly CLIPVisionEmbeddings _embeddings;
    [ComponentName(Name = "pre_layrnorm")]
    private readonly LayerNorm _preLayerNorm;
    [ComponentName(Name = "encoder")]
    private readonly CLIPEncoder _encoder;
    [ComponentName(Name = "post_layernorm")]
    private readonly LayerNorm _postLayerNorm;

    public CLIPVisionTransformer(CLIPVisionConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPVisionTransformer))
    {
        Config = config;
        _embeddings = new CLIPVisionEmbeddings(config, device, dtype);
        _preLayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        _encoder = new CLIPEncoder(config, device, dtype);
        _postLayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    public CLIPVisionConfig Config { get; }

    /// <param name="pixelValues">[batch, 3, image_size, image_size], normalised as CLIPImageProcessor does.</param>
    public override CLIPVisionOutput forward(Tensor pixelValues)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = _preLayerNorm.forward(_embeddings.forward(pixelValues));
        var last = _encoder.forward(hidden, null, causal: false);
        var pooled = _postLayerNorm.forward(last.select(1, 0));
        return new CLIPVisionOutput(last.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}
