using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// The spatial transformer between UNet resnets: GroupNorm, <c>proj_in</c> (1x1 conv for SD 1.x, linear for
/// SD 2.x's <c>use_linear_projection</c>), transformer blocks over the H*W tokens, <c>proj_out</c>, residual.
/// </summary>
public sealed class Transformer2DModel : DiffusersModule
{
    private readonly GroupNorm _norm;
    private readonly nn.Module<Tensor, Tensor> _projIn;
    private readonly ModuleList<BasicTransformerBlock> _blocks;
    private readonly nn.Module<Tensor, Tensor> _projOut;
    private readonly bool _linearProjection;

    public Transformer2DModel(int heads, long headDim, long inChannels, int layers, long crossAttentionDim, int normGroups,
        bool useLinearProjection, bool upcastAttention, double dropout, ModulePlacement p)
        : base(nameof(Transformer2DModel))
    {
        long inner = heads * headDim;
        _linearProjection = useLinearProjection;
        _norm = nn.GroupNorm(normGroups, inChannels, eps: 1e-6, affine: true, device: p.Device, dtype: p.DType);
        _projIn = useLinearProjection
            ? nn.Linear(inChannels, inner, device: p.Device, dtype: p.DType)
            : nn.Conv2d(inChannels, inner, 1, stride: 1, padding: 0L, device: p.Device, dtype: p.DType);
        _blocks = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(_ => new BasicTransformerBlock(inner, heads, headDim, crossAttentionDim, dropout, upcastAttention, p)).ToArray());
        _projOut = useLinearProjection
            ? nn.Linear(inner, inChannels, device: p.Device, dtype: p.DType)
            : nn.Conv2d(inner, inChannels, 1, stride: 1, padding: 0L, device: p.Device, dtype: p.DType);
        register_module("norm", _norm);
        register_module("proj_in", _projIn);
        register_module("transformer_blocks", _blocks);
        register_module("proj_out", _projOut);
    }

    public Tensor Forward(Tensor hidden, Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], height = hidden.shape[2], width = hidden.shape[3];
        var x = _norm.forward(hidden);
        if (_linearProjection)
        {
            x = _projIn.forward(x.permute(0, 2, 3, 1).reshape(batch, height * width, -1));
        }
        else
        {
            x = PointwiseConvolution.Forward((Conv2d)_projIn, x);
            x = x.permute(0, 2, 3, 1).reshape(batch, height * width, -1);
        }
        foreach (var block in _blocks) x = block.Forward(x, encoderHiddenStates);
        // Tokens permuted back to [B, C, H, W] have channels-last strides, which at 1x1 resolution contiguous() keeps;
        // RowMajor (and PointwiseConvolution) give them NCHW strides, so no channels-last tensor leaves this block.
        x = _linearProjection
            ? PointwiseConvolution.RowMajor(_projOut.forward(x).reshape(batch, height, width, -1).permute(0, 3, 1, 2))
            : PointwiseConvolution.Forward((Conv2d)_projOut, x.reshape(batch, height, width, -1).permute(0, 3, 1, 2));
        return (x + hidden).MoveToOuterDisposeScope();
    }
}
