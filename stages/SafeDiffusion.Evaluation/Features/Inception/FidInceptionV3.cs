using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>
/// pytorch-fid's FID InceptionV3: torchvision's Inception3 with the FIDInceptionA/C/E_1/E_2 blocks of the TensorFlow
/// 2015-12-05 graph, returning the 2048-d pool3 features. Submodules carry the names of
/// <c>pt_inception-2015-12-05-6726825d.pth</c> (<c>Conv2d_1a_3x3.conv.weight</c>, <c>Mixed_7c.branch_pool.bn.running_var</c>,
/// <c>fc.weight</c>, ...), so that file, or its safetensors conversion, loads by name (see <see cref="FidInceptionWeights"/>).
/// </summary>
public sealed class FidInceptionV3 : nn.Module<Tensor, Tensor>
{
    public const int InputSize = 299;
    public const int FeatureDimension = 2048;

    /// <summary>The TF graph's classifier has 1008 outputs; kept only so the checkpoint's fc weights have a home.</summary>
    public const int ClassCount = 1008;

    [ComponentName(Name = "Conv2d_1a_3x3")] private readonly FidBasicConv2d _conv2d1a;
    [ComponentName(Name = "Conv2d_2a_3x3")] private readonly FidBasicConv2d _conv2d2a;
    [ComponentName(Name = "Conv2d_2b_3x3")] private readonly FidBasicConv2d _conv2d2b;
    [ComponentName(Name = "Conv2d_3b_1x1")] private readonly FidBasicConv2d _conv2d3b;
    [ComponentName(Name = "Conv2d_4a_3x3")] private readonly FidBasicConv2d _conv2d4a;
    [ComponentName(Name = "Mixed_5b")] private readonly FidInceptionA _mixed5b;
    [ComponentName(Name = "Mixed_5c")] private readonly FidInceptionA _mixed5c;
    [ComponentName(Name = "Mixed_5d")] private readonly FidInceptionA _mixed5d;
    [ComponentName(Name = "Mixed_6a")] private readonly FidInceptionB _mixed6a;
    [ComponentName(Name = "Mixed_6b")] private readonly FidInceptionC _mixed6b;
    [ComponentName(Name = "Mixed_6c")] private readonly FidInceptionC _mixed6c;
    [ComponentName(Name = "Mixed_6d")] private readonly FidInceptionC _mixed6d;
    [ComponentName(Name = "Mixed_6e")] private readonly FidInceptionC _mixed6e;
    [ComponentName(Name = "Mixed_7a")] private readonly FidInceptionD _mixed7a;
    [ComponentName(Name = "Mixed_7b")] private readonly FidInceptionE _mixed7b;
    [ComponentName(Name = "Mixed_7c")] private readonly FidInceptionE _mixed7c;
    [ComponentName(Name = "fc")] private readonly Linear _fc;

    public FidInceptionV3(Device? device = null, ScalarType? dtype = null) : base(nameof(FidInceptionV3))
    {
        LibTorchRuntime.EnsureLoadable();
        _conv2d1a = new FidBasicConv2d(3, 32, 3, stride: 2, device: device, dtype: dtype);
        _conv2d2a = new FidBasicConv2d(32, 32, 3, device: device, dtype: dtype);
        _conv2d2b = new FidBasicConv2d(32, 64, 3, padding: 1, device: device, dtype: dtype);
        _conv2d3b = new FidBasicConv2d(64, 80, 1, device: device, dtype: dtype);
        _conv2d4a = new FidBasicConv2d(80, 192, 3, device: device, dtype: dtype);
        _mixed5b = new FidInceptionA(192, 32, device, dtype);
        _mixed5c = new FidInceptionA(256, 64, device, dtype);
        _mixed5d = new FidInceptionA(288, 64, device, dtype);
        _mixed6a = new FidInceptionB(288, device, dtype);
        _mixed6b = new FidInceptionC(768, 128, device, dtype);
        _mixed6c = new FidInceptionC(768, 160, device, dtype);
        _mixed6d = new FidInceptionC(768, 160, device, dtype);
        _mixed6e = new FidInceptionC(768, 192, device, dtype);
        _mixed7a = new FidInceptionD(768, device, dtype);
        _mixed7b = new FidInceptionE(1280, FidInceptionEPool.AverageExcludingPadding, device, dtype);
        _mixed7c = new FidInceptionE(2048, FidInceptionEPool.Max, device, dtype);
        _fc = nn.Linear(FeatureDimension, ClassCount, hasBias: true, device: device, dtype: dtype);
        RegisterComponents();
        eval();
    }

    /// <summary>
    /// Pool3 features [batch, 2048] for images [batch, 3, H, W] with values in [0, 1]: resized to 299x299 bilinearly
    /// (align_corners=False, no antialiasing, as F.interpolate), scaled to [-1, 1], then the network to the final
    /// average pool, exactly as pytorch-fid's InceptionV3(resize_input=True, normalize_input=True).
    /// </summary>
    public override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"expected images [batch, 3, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        using var scope = torch.NewDisposeScope();
        var x = nn.functional.interpolate(images, [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        x = 2 * x - 1;
        x = _conv2d2b.forward(_conv2d2a.forward(_conv2d1a.forward(x)));
        x = FidPooling.MaxReduce(x);
        x = _conv2d4a.forward(_conv2d3b.forward(x));
        x = FidPooling.MaxReduce(x);
        x = _mixed5d.forward(_mixed5c.forward(_mixed5b.forward(x)));
        x = _mixed6a.forward(x);
        x = _mixed6e.forward(_mixed6d.forward(_mixed6c.forward(_mixed6b.forward(x))));
        x = _mixed7c.forward(_mixed7b.forward(_mixed7a.forward(x)));
        return x.mean([2, 3]).MoveToOuterDisposeScope();
    }

    /// <summary>The TF graph's 1008-way logits from pool3 features (not used by FID; a check that weights loaded sensibly).</summary>
    public Tensor Logits(Tensor poolFeatures)
    {
        using var scope = torch.NewDisposeScope();
        return _fc.forward(poolFeatures).MoveToOuterDisposeScope();
    }
}
