using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>
/// The VAE's bottleneck: resnet, single-head self-attention over the feature map (GroupNorm in front, residual),
/// resnet. diffusers builds the attention with one head of the full channel width.
/// </summary>
public sealed class UNetMidBlock2D : DiffusersModule
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly ModuleList<Attention> _attentions;

    public UNetMidBlock2D(long channels, int groups, double eps, Func<Tensor, Tensor> act, ModulePlacement p) : base(nameof(UNetMidBlock2D))
    {
        _resnets = nn.ModuleList(
            new ResnetBlock2D(channels, channels, null, groups, eps, act, 0.0, 1.0, p),
            new ResnetBlock2D(channels, channels, null, groups, eps, act, 0.0, 1.0, p));
        _attentions = nn.ModuleList(new Attention(channels, null, heads: 1, dimHead: channels, p,
            bias: true, normGroups: groups, eps: eps, residualConnection: true));
        register_module("attentions", _attentions);
        register_module("resnets", _resnets);
    }

    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var h = _resnets[0].Forward(hidden, null);
        h = _attentions[0].Forward(h);
        h = _resnets[1].Forward(h, null);
        return h.MoveToOuterDisposeScope();
    }
}
