using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// diffusers' <c>Attention</c> with the <c>AttnProcessor2_0</c> computation: <c>to_q</c>, <c>to_k</c>,
/// <c>to_v</c>, multi-head <c>scaled_dot_product_attention</c>, <c>to_out.0</c> (+ dropout). Also serves the VAE's
/// mid-block attention, which adds a <c>group_norm</c> in front and a residual connection, over [B, C, H, W] input.
/// </summary>
public sealed class Attention : DiffusersModule
{
    private readonly Linear _toQ;
    private readonly Linear _toK;
    private readonly Linear _toV;
    private readonly ModuleList<nn.Module> _toOut;
    private readonly Linear _outProj;
    private readonly Dropout _outDropout;
    private readonly GroupNorm? _groupNorm;
    private readonly int _heads;
    private readonly bool _upcastAttention;
    private readonly bool _residualConnection;
    private readonly double _rescaleOutputFactor;

    /// <param name="queryDim">Channels of the input the queries come from.</param>
    /// <param name="crossAttentionDim">Channels of the context keys and values come from; null for self-attention.</param>
    /// <param name="upcastAttention">Compute the attention in float32 when the weights are half precision (SD 2.x).</param>
    /// <param name="normGroups">Groups of a GroupNorm applied to the input first (VAE mid-block); null for none.</param>
    public Attention(long queryDim, long? crossAttentionDim, int heads, long dimHead, ModulePlacement p,
        double dropout = 0.0, bool bias = false, bool upcastAttention = false, int? normGroups = null, double eps = 1e-5,
        bool residualConnection = false, double rescaleOutputFactor = 1.0)
        : base(nameof(Attention))
    {
        long inner = dimHead * heads;
        long contextDim = crossAttentionDim ?? queryDim;
        _heads = heads;
        _upcastAttention = upcastAttention;
        _residualConnection = residualConnection;
        _rescaleOutputFactor = rescaleOutputFactor;
        if (normGroups is { } groups)
        {
            _groupNorm = nn.GroupNorm(groups, queryDim, eps: eps, affine: true, device: p.Device, dtype: p.DType);
            register_module("group_norm", _groupNorm);
        }
        _toQ = nn.Linear(queryDim, inner, hasBias: bias, device: p.Device, dtype: p.DType);
        _toK = nn.Linear(contextDim, inner, hasBias: bias, device: p.Device, dtype: p.DType);
        _toV = nn.Linear(contextDim, inner, hasBias: bias, device: p.Device, dtype: p.DType);
        _outProj = nn.Linear(inner, queryDim, hasBias: true, device: p.Device, dtype: p.DType);
        _outDropout = nn.Dropout(dropout);
        _toOut = nn.ModuleList<nn.Module>(_outProj, _outDropout);
        register_module("to_q", _toQ);
        register_module("to_k", _toK);
        register_module("to_v", _toV);
        register_module("to_out", _toOut);
    }

    /// <param name="hidden">[B, N, C] tokens, or [B, C, H, W] feature maps (flattened to H*W tokens and restored).</param>
    /// <param name="context">[B, M, D] cross-attention context; null attends to <paramref name="hidden"/> itself.</param>
    public Tensor Forward(Tensor hidden, Tensor? context = null)
    {
        using var scope = NewDisposeScope();
        var residual = hidden;
        bool spatial = hidden.dim() == 4;
        long batch = hidden.shape[0], channels = 0, height = 0, width = 0;
        var x = hidden;
        if (spatial)
        {
            (channels, height, width) = (hidden.shape[1], hidden.shape[2], hidden.shape[3]);
            x = x.view(batch, channels, height * width).transpose(1, 2);
        }
        if (_groupNorm is not null) x = _groupNorm.forward(x.transpose(1, 2)).transpose(1, 2);

        var query = _toQ.forward(x);
        var source = context ?? x;
        var key = _toK.forward(source);
        var value = _toV.forward(source);
        long headDim = key.shape[^1] / _heads;
        query = query.view(batch, -1, _heads, headDim).transpose(1, 2);
        key = key.view(batch, -1, _heads, headDim).transpose(1, 2);
        value = value.view(batch, -1, _heads, headDim).transpose(1, 2);

        var dtype = query.dtype;
        bool upcast = _upcastAttention && dtype is ScalarType.Float16 or ScalarType.BFloat16;
        if (upcast)
        {
            query = query.to_type(ScalarType.Float32);
            key = key.to_type(ScalarType.Float32);
            value = value.to_type(ScalarType.Float32);
        }
        var attended = nn.functional.scaled_dot_product_attention(query, key, value);
        attended = attended.transpose(1, 2).reshape(batch, -1, _heads * headDim).to_type(dtype);

        var output = _outDropout.forward(_outProj.forward(attended));
        if (spatial) output = output.transpose(-1, -2).reshape(batch, channels, height, width);
        if (_residualConnection) output = output + residual;
        if (_rescaleOutputFactor != 1.0) output = output / _rescaleOutputFactor;
        return output.MoveToOuterDisposeScope();
    }
}
