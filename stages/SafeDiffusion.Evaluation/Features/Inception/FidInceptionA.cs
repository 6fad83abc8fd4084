using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>pytorch-fid's <c>FIDInceptionA</c> (Mixed_5b/5c/5d): torchvision's InceptionA with a padding-excluding average pool.</summary>
public sealed class FidInceptionA : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch1x1")] private readonly FidBasicConv2d _branch1x1;
    [ComponentName(Name = "branch5x5_1")] private readonly FidBasicConv2d _branch5x5_1;
    [ComponentName(Name = "branch5x5_2")] private readonly FidBasicConv2d _branch5x5_2;
    [ComponentName(Name = "branch3x3dbl_1")] private readonly FidBasicConv2d _branch3x3dbl_1;
    [ComponentName(Name = "branch3x3dbl_2")] private readonly FidBasicConv2d _branch3x3dbl_2;
    [ComponentName(Name = "branch3x3dbl_3")] private readonly FidBasicConv2d _branch3x3dbl_3;
    [ComponentName(Name = "branch_pool")] private readonly FidBasicConv2d _branchPool;

    public FidInceptionA(long inChannels, long poolFeatures, Device? device = null, ScalarType? dtype = null) : base(nameof(FidInceptionA))
    {
        _branch1x1 = new FidBasicConv2d(inChannels, 64, 1, device: device, dtype: dtype);
        _branch5x5_1 = new FidBasicConv2d(inChannels, 48, 1, device: device, dtype: dtype);
        _branch5x5_2 = new FidBasicConv2d(48, 64, 5, padding: 2, device: device, dtype: dtype);
        _branch3x3dbl_1 = new FidBasicConv2d(inChannels, 64, 1, device: device, dtype: dtype);
        _branch3x3dbl_2 = new FidBasicConv2d(64, 96, 3, padding: 1, device: device, dtype: dtype);
        _branch3x3dbl_3 = new FidBasicConv2d(96, 96, 3, padding: 1, device: device, dtype: dtype);
        _branchPool = new FidBasicConv2d(inChannels, poolFeatures, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b1 = _branch1x1.forward(x);
        var b5 = _branch5x5_2.forward(_branch5x5_1.forward(x));
        var b3 = _branch3x3dbl_3.forward(_branch3x3dbl_2.forward(_branch3x3dbl_1.forward(x)));
        var bp = _branchPool.forward(FidPooling.AverageExcludingPadding(x));
        return torch.cat([b1, b5, b3, bp], 1).MoveToOuterDisposeScope();
    }
}
