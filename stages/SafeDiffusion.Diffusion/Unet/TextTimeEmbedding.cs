using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// diffusers' <c>TextTimeEmbedding</c>, the UNet's <c>add_embedding</c> when <c>addition_embed_type</c> is "text":
/// LayerNorm, attention pooling over the text embeddings, a projection to the time embedding's width, LayerNorm. The
/// UNet adds it to the time embedding, so every resnet, also at the resolutions without cross-attention, hears what
/// the prompt asks for.
/// </summary>
public sealed class TextTimeEmbedding : DiffusersModule
{
    private readonly LayerNorm _norm1;
    private readonly AttentionPooling _pool;
    private readonly Linear _proj;
    private readonly LayerNorm _norm2;

    public TextTimeEmbedding(long encoderDim, long timeEmbedDim, int heads, ModulePlacement p) : base(nameof(TextTimeEmbedding))
    {
        _norm1 = nn.LayerNorm(encoderDim, device: p.Device, dtype: p.DType);
        _pool = new AttentionPooling(heads, encoderDim, p);
        _proj = nn.Linear(encoderDim, timeEmbedDim, device: p.Device, dtype: p.DType);
        _norm2 = nn.LayerNorm(timeEmbedDim, device: p.Device, dtype: p.DType);
        register_module("norm1", _norm1);
        register_module("pool", _pool);
        register_module("proj", _proj);
        register_module("norm2", _norm2);
    }

    /// <param name="encoderHiddenStates">[B, tokens, encoder_dim].</param>
    /// <returns>[B, time_embed_dim].</returns>
    public Tensor Forward(Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var h = _pool.Forward(_norm1.forward(encoderHiddenStates));
        return _norm2.forward(_proj.forward(h)).MoveToOuterDisposeScope();
    }
}
