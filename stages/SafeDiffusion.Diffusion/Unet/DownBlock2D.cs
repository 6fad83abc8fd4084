using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>Resnets only, then an optional stride-2 downsampler (<c>downsamplers.0</c>).</summary>
public sealed class DownBlock2D : UNetDownBlock
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly Downsample2D? _downsampler;

    public DownBlock2D(UNetBlockSettings s, bool addDownsample, long downsamplePadding) : base(nameof(DownBlock2D))
    {
        _resnets = nn.ModuleList(Resnets(s));
        register_module("resnets", _resnets);
        _downsampler = RegisterDownsampler(s, addDownsample, downsamplePadding);
    }

    public override (Tensor Hidden, IReadOnlyList<Tensor> Skips) Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates)
    {
        var skips = new List<Tensor>();
        var h = hidden;
        foreach (var resnet in _resnets)
        {
            h = resnet.Forward(h, temb);
            skips.Add(h);
        }
        if (_downsampler is not null)
        {
            h = _downsampler.Forward(h);
            skips.Add(h);
        }
        return (h, skips);
    }
}
