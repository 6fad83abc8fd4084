using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// diffusers' <c>AttentionPooling</c> (from DeepFloyd IF): one query, the mean token plus a learned position, attends
/// over itself and every token, so a sequence of text embeddings becomes one vector. Padding tokens are attended to
/// as diffusers does (no mask).
/// </summary>
public sealed class AttentionPooling : DiffusersModule
{
    private readonly Parameter _positionalEmbedding;
    private readonly Linear _kProj;
    private readonly Linear _qProj;
    private readonly Linear _vProj;
    private readonly int _heads;

    public AttentionPooling(int heads, long embedDim, ModulePlacement p) : base(nameof(AttentionPooling))
    {
        if (heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"{heads} heads do not divide the embedding's {embedDim} channels.", nameof(heads));
        _heads = heads;
        _positionalEmbedding = new Parameter(randn(new long[] { 1, embedDim }, dtype: p.DType, device: p.Device) / Math.Sqrt(embedDim));
        _kProj = nn.Linear(embedDim, embedDim, device: p.Device, dtype: p.DType);
        _qProj = nn.Linear(embedDim, embedDim, device: p.Device, dtype: p.DType);
        _vProj = nn.Linear(embedDim, embedDim, device: p.Device, dtype: p.DType);
        register_parameter("positional_embedding", _positionalEmbedding);
        register_module("k_proj", _kProj);
        register_module("q_proj", _qProj);
        register_module("v_proj", _vProj);
    }

    /// <param name="x">[B, tokens, width].</param>
    /// <returns>[B, width]: what the pooling query read.</returns>
    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], width = x.shape[2], perHead = width / _heads;
        // [B, L, width] -> [B * heads, perHead, L], the layout diffusers' einsums work in.
        Tensor Heads(Tensor t) => t.view(batch, -1, _heads, perHead).transpose(1, 2).reshape(batch * _heads, -1, perHead).transpose(1, 2);

        var classToken = x.mean([1], keepdim: true) + _positionalEmbedding.to_type(x.dtype);
        var tokens = cat([classToken, x], 1);
        var q = Heads(_qProj.forward(classToken));
        var k = Heads(_kProj.forward(tokens));
        var v = Heads(_vProj.forward(tokens));
        // The scale split over q and k, as diffusers does for half precision.
        double scale = 1 / Math.Sqrt(Math.Sqrt(perHead));
        var weight = einsum("bct,bcs->bts", q * scale, k * scale);
        weight = weight.to_type(ScalarType.Float32).softmax(-1).to_type(weight.dtype);
        var attended = einsum("bts,bcs->bct", weight, v);
        return attended.reshape(batch, -1, 1).transpose(1, 2)[.., 0, ..].MoveToOuterDisposeScope();
    }
}
