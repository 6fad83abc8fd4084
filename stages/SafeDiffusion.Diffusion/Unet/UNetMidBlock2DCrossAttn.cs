using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>The UNet's bottleneck: resnet, then (spatial transformer, resnet) pairs at the lowest resolution.</summary>
public sealed class UNetMidBlock2DCrossAttn : DiffusersModule
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly ModuleList<Transformer2DModel> _attentions;

    /// <param name="s">InChannels is the bottleneck width; Layers the number of transformer/resnet pairs.</param>
    public UNetMidBlock2DCrossAttn(UNetBlockSettings s, double outputScaleFactor) : base(nameof(UNetMidBlock2DCrossAttn))
    {
        long c = s.InChannels;
        _resnets = nn.ModuleList(Enumerable.Range(0, s.Layers + 1).Select(_ => s.Resnet(c, c, outputScaleFactor)).ToArray());
        _attentions = nn.ModuleList(Enumerable.Range(0, s.Layers).Select(_ => s.Transformer(c)).ToArray());
        register_module("attentions", _attentions);
        register_module("resnets", _resnets);
    }

    public Tensor Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates)
    {
        using var scope = NewDisposeScope();
        var h = _resnets[0].Forward(hidden, temb);
        for (int i = 0; i < _attentions.Count; i++)
        {
            h = _attentions[i].Forward(h, encoderHiddenStates);
            h = _resnets[i + 1].Forward(h, temb);
        }
        return h.MoveToOuterDisposeScope();
    }
}
