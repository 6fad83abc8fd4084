using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>The VAE encoder's block: resnets without time embedding, then an optional downsampler.</summary>
public sealed class DownEncoderBlock2D : DiffusersModule
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly Downsample2D? _downsampler;

    public DownEncoderBlock2D(long inChannels, long outChannels, int layers, int groups, double eps, Func<Tensor, Tensor> act,
        bool addDownsample, long downsamplePadding, ModulePlacement p) : base(nameof(DownEncoderBlock2D))
    {
        _resnets = nn.ModuleList(Enumerable.Range(0, layers).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, eps, act, 0.0, 1.0, p)).ToArray());
        register_module("resnets", _resnets);
        if (addDownsample)
        {
            _downsampler = new Downsample2D(outChannels, outChannels, downsamplePadding, p);
            register_module("downsamplers", nn.ModuleList(_downsampler));
        }
    }

    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var h = hidden;
        foreach (var resnet in _resnets) h = resnet.Forward(h, null);
        if (_downsampler is not null) h = _downsampler.Forward(h);
        return h.MoveToOuterDisposeScope();
    }
}
