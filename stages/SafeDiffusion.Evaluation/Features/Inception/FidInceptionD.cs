using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>torchvision's <c>InceptionD</c> (Mixed_7a), the grid reduction 17x17 -> 8x8; pytorch-fid keeps it as is.</summary>
public sealed class FidInceptionD : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "branch3x3_1")] private readonly FidBasicConv2d _branch3x3_1;
    [ComponentName(Name = "branch3x3_2")] private readonly FidBasicConv2d _branch3x3_2;
    [ComponentName(Name = "branch7x7x3_1")] private readonly FidBasicConv2d _branch7x7x3_1;
    [ComponentName(Name = "branch7x7x3_2")] private readonly FidBasicConv2d _branch7x7x3_2;
    [ComponentName(Name = "branch7x7x3_3")] private readonly FidBasicConv2d _branch7x7x3_3;
    [ComponentName(Name = "branch7x7x3_4")] private readonly FidBasicConv2d _branch7x7x3_4;

    public FidInceptionD(long inChannels, Device? device = null, ScalarType? dtype = null) : base(nameof(FidInceptionD))
    {
        _branch3x3_1 = new FidBasicConv2d(inChannels, 192, 1, device: device, dtype: dtype);
        _branch3x3_2 = new FidBasicConv2d(192, 320, 3, stride: 2, device: device, dtype: dtype);
        _branch7x7x3_1 = new FidBasicConv2d(inChannels, 192, 1, device: device, dtype: dtype);
        _branch7x7x3_2 = new FidBasicConv2d(192, 192, (1, 7), padding: (0, 3), device: device, dtype: dtype);
        _branch7x7x3_3 = new FidBasicConv2d(192, 192, (7, 1), padding: (3, 0), device: device, dtype: dtype);
        _branch7x7x3_4 = new FidBasicConv2d(192, 192, 3, stride: 2, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var b3 = _branch3x3_2.forward(_branch3x3_1.forward(x));
        var b7 = _branch7x7x3_4.forward(_branch7x7x3_3.forward(_branch7x7x3_2.forward(_branch7x7x3_1.forward(x))));
        var bp = FidPooling.MaxReduce(x);
        return torch.cat([b3, b7, bp], 1).MoveToOuterDisposeScope();
    }
}
