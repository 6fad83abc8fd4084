using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>
/// pytorch-fid's <c>FIDInceptionE_1</c> / <c>FIDInceptionE_2</c> (Mixed_7b / Mixed_7c): torchvision's InceptionE, with
/// the pool branch chosen by <see cref="FidInceptionEPool"/>.
/// </summary>
public sealed class FidInceptionE : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch1x1")] private readonly FidBasicConv2d _branch1x1;
    [ComponentName(Name = "branch3x3_1")] private readonly FidBasicConv2d _branch3x3_1;
    [ComponentName(Name = "branch3x3_2a")] private readonly FidBasicConv2d _branch3x3_2a;
    [ComponentName(Name = "branch3x3_2b")] private readonly FidBasicConv2d _branch3x3_2b;
    [ComponentName(Name = "branch3x3dbl_1")] private readonly FidBasicConv2d _branch3x3dbl_1;
    [ComponentName(Name = "branch3x3dbl_2")] private readonly FidBasicConv2d _branch3x3dbl_2;
    [ComponentName(Name = "branch3x3dbl_3a")] private readonly FidBasicConv2d _branch3x3dbl_3a;
    [ComponentName(Name = "branch3x3dbl_3b")] private readonly FidBasicConv2d _branch3x3dbl_3b;
    [ComponentName(Name = "branch_pool")] private readonly FidBasicConv2d _branchPool;

    public FidInceptionE(long inChannels, FidInceptionEPool pool, Device? device = null, ScalarType? dtype = null) : base(nameof(FidInceptionE))
    {
        Pool = pool;
        _branch1x1 = new FidBasicConv2d(inChannels, 320, 1, device: device, dtype: dtype);
        _branch3x3_1 = new FidBasicConv2d(inChannels, 384, 1, device: device, dtype: dtype);
        _branch3x3_2a = new FidBasicConv2d(384, 384, (1, 3), padding: (0, 1), device: device, dtype: dtype);
        _branch3x3_2b = new FidBasicConv2d(384, 384, (3, 1), padding: (1, 0), device: device, dtype: dtype);
        _branch3x3dbl_1 = new FidBasicConv2d(inChannels, 448, 1, device: device, dtype: dtype);
        _branch3x3dbl_2 = new FidBasicConv2d(448, 384, 3, padding: 1, device: device, dtype: dtype);
        _branch3x3dbl_3a = new FidBasicConv2d(384, 384, (1, 3), padding: (0, 1), device: device, dtype: dtype);
        _branch3x3dbl_3b = new FidBasicConv2d(384, 384, (3, 1), padding: (1, 0), device: device, dtype: dtype);
        _branchPool = new FidBasicConv2d(inChannels, 192, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public FidInceptionEPool Pool { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b1 = _branch1x1.forward(x);
        var b3 = _branch3x3_1.forward(x);
        b3 = torch.cat([_branch3x3_2a.forward(b3), _branch3x3_2b.forward(b3)], 1);
        var bd = _branch3x3dbl_2.forward(_branch3x3dbl_1.forward(x));
        bd = torch.cat([_branch3x3dbl_3a.forward(bd), _branch3x3dbl_3b.forward(bd)], 1);
        var pooled = Pool == FidInceptionEPool.Max ? FidPooling.MaxSamePadding(x) : FidPooling.AverageExcludingPadding(x);
        var bp = _branchPool.forward(pooled);
        return torch.cat([b1, b3, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
