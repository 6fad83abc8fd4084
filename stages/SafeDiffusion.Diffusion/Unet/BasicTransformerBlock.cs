using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Pre-norm transformer block of the UNet: self-attention (<c>attn1</c>), cross-attention to the text
/// (<c>attn2</c>), GEGLU feed-forward (<c>ff</c>), each after a LayerNorm and with a residual connection.
/// </summary>
public sealed class BasicTransformerBlock : DiffusersModule
{
    private readonly LayerNorm _norm1;
    private readonly Attention _attn1;
    private readonly LayerNorm _norm2;
    private readonly Attention _attn2;
    private readonly LayerNorm _norm3;
    private readonly FeedForward _ff;

    public BasicTransformerBlock(long dim, int heads, long headDim, long crossAttentionDim, double dropout, bool upcastAttention, ModulePlacement p)
        : base(nameof(BasicTransformerBlock))
    {
        _norm1 = nn.LayerNorm(dim, device: p.Device, dtype: p.DType);
        _attn1 = new Attention(dim, null, heads, headDim, p, dropout: dropout, upcastAttention: upcastAttention);
        _norm2 = nn.LayerNorm(dim, device: p.Device, dtype: p.DType);
        _attn2 = new Attention(dim, crossAttentionDim, heads, headDim, p, dropout: dropout, upcastAttention: upcastAttention);
        _norm3 = nn.LayerNorm(dim, device: p.Device, dtype: p.DType);
        _ff = new FeedForward(dim, dropout, p);
        register_module("norm1", _norm1);
        register_module("attn1", _attn1);
        register_module("norm2", _norm2);
        register_module("attn2", _attn2);
        register_module("norm3", _norm3);
        register_module("ff", _ff);
    }

    public Tensor Forward(Tensor hidden, Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var h = _attn1.Forward(_norm1.forward(hidden)) + hidden;
        h = _attn2.Forward(_norm2.forward(h), encoderHiddenStates) + h;
        h = _ff.Forward(_norm3.forward(h)) + h;
        return h.MoveToOuterDisposeScope();
    }
}
