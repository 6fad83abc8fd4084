using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>torchvision's <c>InceptionB</c> (Mixed_6a), a grid reduction 35x35 -> 17x17; pytorch-fid keeps it as is.</summary>
public sealed class FidInceptionB : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch3x3")] private readonly FidBasicConv2d _branch3x3;
    [ComponentName(Name = "branch3x3dbl_1")] private readonly FidBasicConv2d _branch3x3dbl_1;
    [ComponentName(Name = "branch3x3dbl_2")] private readonly FidBasicConv2d _branch3x3dbl_2;
    [ComponentName(Name = "branch3x3dbl_3")] private readonly FidBasicConv2d _branch3x3dbl_3;

    public FidInceptionB(long inChannels, Device? device = null, ScalarType? dtype = null) : base(nameof(FidInceptionB))
    {
        _branch3x3 = new FidBasicConv2d(inChannels, 384, 3, stride: 2, device: device, dtype: dtype);
        _branch3x3dbl_1 = new FidBasicConv2d(inChannels, 64, 1, device: device, dtype: dtype);
        _branch3x3dbl_2 = new FidBasicConv2d(64, 96, 3, padding: 1, device: device, dtype: dtype);
        _branch3x3dbl_3 = new FidBasicConv2d(96, 96, 3, stride: 2, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b3 = _branch3x3.forward(x);
        var bd = _branch3x3dbl_3.forward(_branch3x3dbl_2.forward(_branch3x3dbl_1.forward(x)));
        var bp = FidPooling.MaxReduce(x);
        return torch.cat([b3, bd, bp], 1).MoveToOuterDisposeScope();
    }
}
