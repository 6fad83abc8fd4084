using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>
/// transformers' Llama rotary embedding in its half-split layout: dimension <c>j</c> of a head pairs with
/// <c>j + d/2</c>, both rotated by <c>pos * base^(-2j/d)</c> (<c>rotate_half</c>). llama.cpp's llama architecture
/// pairs adjacent dimensions instead; the exporter reorders q and k rows to match, as convert_hf_to_gguf does.
/// </summary>
public static class LlamaRotaryEmbedding
{
    /// <summary>cos and sin tables <c>[positions, headDim]</c> for positions <c>0..count-1</c>.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(long count, int headDim, double ropeBase, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var inverse = 1.0f / torch.pow(ropeBase, torch.arange(0, headDim, 2, ScalarType.Int64, device).to(ScalarType.Float32) / headDim);
        var angles = torch.outer(torch.arange(count, ScalarType.Int64, device).to(ScalarType.Float32), inverse);
        var both = torch.cat([angles, angles], -1);
        return (both.cos().MoveToOuterDisposeScope(), both.sin().MoveToOuterDisposeScope());
    }

    /// <summary>Rotates <paramref name="x"/> <c>[batch, heads, positions, headDim]</c> by the tables' angles.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        var half = x.shape[^1] / 2;
        var first = x[TensorIndex.Ellipsis, TensorIndex.Slice(0, half)];
        var second = x[TensorIndex.Ellipsis, TensorIndex.Slice(half, null)];
        var rotated = torch.cat([-second, first], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
