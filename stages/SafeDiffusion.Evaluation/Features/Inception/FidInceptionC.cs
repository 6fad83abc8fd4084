using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>pytorch-fid's <c>FIDInceptionC</c> (Mixed_6b..6e): factorised 7x7 branches, padding-excluding average pool.</summary>
public sealed class FidInceptionC : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch1x1")] private readonly FidBasicConv2d _branch1x1;
    [ComponentName(Name = "branch7x7_1")] private readonly FidBasicConv2d _branch7x7_1;
    [ComponentName(Name = "branch7x7_2")] private readonly FidBasicConv2d _branch7x7_2;
    [ComponentName(Name = "branch7x7_3")] private readonly FidBasicConv2d _branch7x7_3;
    [ComponentName(Name = "branch7x7dbl_1")] private readonly FidBasicConv2d _branch7x7dbl_1;
    [ComponentName(Name = "branch7x7dbl_2")] private readonly FidBasicConv2d _branch7x7dbl_2;
    [ComponentName(Name = "branch7x7dbl_3")] private readonly FidBasicConv2d _branch7x7dbl_3;
    [ComponentName(Name = "branch7x7dbl_4")] private readonly FidBasicConv2d _branch7x7dbl_4;
    [ComponentName(Name = "branch7x7dbl_5")] private readonly FidBasicConv2d _branch7x7dbl_5;
    [ComponentName(Name = "branch_pool")] private readonly FidBasicConv2d _branchPool;

    public FidInceptionC(long inChannels, long channels7x7, Device? device = null, ScalarType? dtype = null) : base(nameof(FidInceptionC))
    {
        long c7 = channels7x7;
        _branch1x1 = new FidBasicConv2d(inChannels, 192, 1, device: device, dtype: dtype);
        _branch7x7_1 = new FidBasicConv2d(inChannels, c7, 1, device: device, dtype: dtype);
        _branch7x7_2 = new FidBasicConv2d(c7, c7, (1, 7), padding: (0, 3), device: device, dtype: dtype);
        _branch7x7_3 = new FidBasicConv2d(c7, 192, (7, 1), padding: (3, 0), device: device, dtype: dtype);
        _branch7x7dbl_1 = new FidBasicConv2d(inChannels, c7, 1, device: device, dtype: dtype);
        _branch7x7dbl_2 = new FidBasicConv2d(c7, c7, (7, 1), padding: (3, 0), device: device, dtype: dtype);
        _branch7x7dbl_3 = new FidBasicConv2d(c7, c7, (1, 7), padding: (0, 3), device: device, dtype: dtype);
        _branch7x7dbl_4 = new FidBasicConv2d(c7, c7, (7, 1), padding: (3, 0), device: device, dtype: dtype);
        _branch7x7dbl_5 = new FidBasicConv2d(c7, 192, (1, 7), padding: (0, 3), device: device, dtype: dtype);
        _branchPool = new FidBasicConv2d(inChannels, 192, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b1 = _branch1x1.forward(x);
        var b7 = _branch7x7_3.forward(_branch7x7_2.forward(_branch7x7_1.forward(x)));
        var bd = _branch7x7dbl_1.forward(x);
        bd = _branch7x7dbl_5.forward(_branch7x7dbl_4.forward(_branch7x7dbl_3.forward(_branch7x7dbl_2.forward(bd))));
        var bp = _branchPool.forward(FidPooling.AverageExcludingPadding(x));
        return torch.cat([b1, b7, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
