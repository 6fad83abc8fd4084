using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c>: GroupNorm, act, conv1, GroupNorm, act, dropout, conv2, plus a 1x1
/// <c>conv_shortcut</c> when the channel count changes. The projected time embedding enters after conv1: added
/// (time-embedding norm "default", Stable Diffusion) or, with "scale_shift" (ADM's adaptive GroupNorm), split into a
/// scale and a shift of the second GroupNorm's output, <c>norm2(h) * (1 + scale) + shift</c>. Without
/// <c>tembChannels</c> (the VAE) there is no <c>time_emb_proj</c>.
/// </summary>
public sealed class ResnetBlock2D : DiffusersModule
{
    private readonly GroupNorm _norm1;
    private readonly Conv2d _conv1;
    private readonly Linear? _timeEmbProj;
    private readonly GroupNorm _norm2;
    private readonly Dropout _dropout;
    private readonly Conv2d _conv2;
    private readonly Conv2d? _convShortcut;
    private readonly Func<Tensor, Tensor> _act;
    private readonly double _outputScaleFactor;
    private readonly bool _scaleShift;

    public ResnetBlock2D(long inChannels, long outChannels, long? tembChannels, int groups, double eps,
        Func<Tensor, Tensor> act, double dropout, double outputScaleFactor, ModulePlacement p, bool scaleShift = false)
        : base(nameof(ResnetBlock2D))
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        _norm1 = nn.GroupNorm(groups, inChannels, eps: eps, affine: true, device: p.Device, dtype: p.DType);
        _conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: 1, padding: 1, device: p.Device, dtype: p.DType);
        if (scaleShift && tembChannels is null) throw new ArgumentException("The scale_shift time-embedding norm needs a time embedding.", nameof(tembChannels));
        _scaleShift = scaleShift;
        if (tembChannels is { } temb) _timeEmbProj = nn.Linear(temb, scaleShift ? 2 * outChannels : outChannels, device: p.Device, dtype: p.DType);
        _norm2 = nn.GroupNorm(groups, outChannels, eps: eps, affine: true, device: p.Device, dtype: p.DType);
        _dropout = nn.Dropout(dropout);
        _conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, device: p.Device, dtype: p.DType);
        if (inChannels != outChannels)
            _convShortcut = nn.Conv2d(inChannels, outChannels, 1, stride: 1, padding: 0L, device: p.Device, dtype: p.DType);
        _act = act;
        _outputScaleFactor = outputScaleFactor;

        register_module("norm1", _norm1);
        register_module("conv1", _conv1);
        if (_timeEmbProj is not null) register_module("time_emb_proj", _timeEmbProj);
        register_module("norm2", _norm2);
        register_module("dropout", _dropout);
        register_module("conv2", _conv2);
        if (_convShortcut is not null) register_module("conv_shortcut", _convShortcut);
    }

    public long InChannels { get; }
    public long OutChannels { get; }

    public Tensor Forward(Tensor input, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        var h = ChannelBlockConvolution.Forward(_conv1, _act(_norm1.forward(input)));
        var t = _timeEmbProj is not null && temb is not null ? _timeEmbProj.forward(_act(temb)).unsqueeze(-1).unsqueeze(-1) : null;
        if (_scaleShift)
        {
            if (t is null) throw new ArgumentException("This resnet's time-embedding norm is scale_shift, which needs a time embedding.", nameof(temb));
            var scaleAndShift = t.chunk(2, dim: 1);
            h = _norm2.forward(h) * (1 + scaleAndShift[0]) + scaleAndShift[1];
        }
        else
        {
            if (t is not null) h = h + t;
            h = _norm2.forward(h);
        }
        h = ChannelBlockConvolution.Forward(_conv2, _dropout.forward(_act(h)));
        var shortcut = _convShortcut is null ? input : PointwiseConvolution.Forward(_convShortcut, input);
        var output = shortcut + h;
        if (_outputScaleFactor != 1.0) output = output / _outputScaleFactor;
        return output.MoveToOuterDisposeScope();
    }
}
