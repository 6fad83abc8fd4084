using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>torchvision's <c>BasicConv2d</c>: a bias-free convolution, batch norm with eps 0.001, ReLU.</summary>
public sealed class FidBasicConv2d : nn.Module<Tensor, Tensor>
{
    public const double BatchNormEps = 0.001;

    [ComponentName(Name = "conv")]
    private readonly Conv2d _conv;
    [ComponentName(Name = "bn")]
    private readonly BatchNorm2d _bn;

    public FidBasicConv2d(long inChannels, long outChannels, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null,
        Device? device = null, ScalarType? dtype = null) : base(nameof(FidBasicConv2d))
    {
        _conv = nn.Conv2d(inChannels, outChannels, kernel, stride ?? (1, 1), padding ?? (0, 0), bias: false, device: device, dtype: dtype);
        _bn = nn.BatchNorm2d(outChannels, eps: BatchNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    public FidBasicConv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, Device? device = null, ScalarType? dtype = null)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding), device, dtype)
    {
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return nn.functional.relu(_bn.forward(_conv.forward(x))).MoveToOuterDisposeScope();
    }
}
