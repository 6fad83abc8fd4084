using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>The VAE decoder's block: resnets without time embedding, then an optional upsampler.</summary>
public sealed class UpDecoderBlock2D : DiffusersModule
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly Upsample2D? _upsampler;

    public UpDecoderBlock2D(long inChannels, long outChannels, int layers, int groups, double eps, Func<Tensor, Tensor> act,
        bool addUpsample, ModulePlacement p) : base(nameof(UpDecoderBlock2D))
    {
        _resnets = nn.ModuleList(Enumerable.Range(0, layers).Select(i =>
            new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, eps, act, 0.0, 1.0, p)).ToArray());
        register_module("resnets", _resnets);
        if (addUpsample)
        {
            _upsampler = new Upsample2D(outChannels, outChannels, p);
            register_module("upsamplers", nn.ModuleList(_upsampler));
        }
    }

    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var h = hidden;
        foreach (var resnet in _resnets) h = resnet.Forward(h, null);
        if (_upsampler is not null) h = _upsampler.Forward(h);
        return h.MoveToOuterDisposeScope();
    }
}
