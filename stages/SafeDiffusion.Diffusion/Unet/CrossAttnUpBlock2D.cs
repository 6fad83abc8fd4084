using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>Resnet + spatial transformer pairs over [hidden, skip] concatenations, then an optional upsampler.</summary>
public sealed class CrossAttnUpBlock2D : UNetUpBlock
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly ModuleList<Transformer2DModel> _attentions;
    private readonly Upsample2D? _upsampler;

    /// <param name="s">InChannels is the skip width of the last resnet (diffusers' <c>in_channels</c>).</param>
    public CrossAttnUpBlock2D(UNetBlockSettings s, long prevOutputChannels, bool addUpsample) : base(nameof(CrossAttnUpBlock2D))
    {
        _resnets = nn.ModuleList(SkipResnets(s, prevOutputChannels));
        _attentions = nn.ModuleList(Enumerable.Range(0, s.Layers).Select(_ => s.Transformer(s.OutChannels)).ToArray());
        register_module("attentions", _attentions);
        register_module("resnets", _resnets);
        _upsampler = RegisterUpsampler(s, addUpsample);
    }

    public override int ResnetCount => _resnets.Count;

    public override Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor encoderHiddenStates, long[]? upsampleSize)
    {
        using var scope = NewDisposeScope();
        var h = hidden;
        for (int i = 0; i < _resnets.Count; i++)
        {
            var skip = skips[skips.Count - 1 - i];
            h = _resnets[i].Forward(cat([h, skip], dim: 1), temb);
            h = _attentions[i].Forward(h, encoderHiddenStates);
        }
        if (_upsampler is not null) h = _upsampler.Forward(h, upsampleSize);
        return h.MoveToOuterDisposeScope();
    }
}
