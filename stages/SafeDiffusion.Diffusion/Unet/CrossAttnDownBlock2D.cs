using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>Resnet + spatial transformer pairs, then an optional stride-2 downsampler.</summary>
public sealed class CrossAttnDownBlock2D : UNetDownBlock
{
    private readonly ModuleList<ResnetBlock2D> _resnets;
    private readonly ModuleList<Transformer2DModel> _attentions;
    private readonly Downsample2D? _downsampler;

    public CrossAttnDownBlock2D(UNetBlockSettings s, bool addDownsample, long downsamplePadding) : base(nameof(CrossAttnDownBlock2D))
    {
        _resnets = nn.ModuleList(Enumerable.Range(0, s.Layers).Select(i => new ResnetBlock2D(
            i == 0 ? s.InChannels : s.OutChannels, s.OutChannels, s.TembChannels, s.NormGroups, s.NormEps, s.Activation,
            s.Dropout, 1.0, s.Placement)).ToArray());
        _attentions = nn.ModuleList(Enumerable.Range(0, s.Layers).Select(_ => new Transformer2DModel(
            s.Heads, s.OutChannels / s.Heads, s.OutChannels, s.TransformerLayers, s.CrossAttentionDim, s.NormGroups,
            s.UseLinearProjection, s.UpcastAttention, s.Dropout, s.Placement)).ToArray());
        register_module("attentions", _attentions);
        register_module("resnets", _resnets);
        if (addDownsample)
        {
            _downsampler = new Downsample2D(s.OutChannels, s.OutChannels, downsamplePadding, s.Placement);
            register_module("downsamplers", nn.ModuleList(_downsampler));
        }
    }

    public override (Tensor Hidden, IReadOnlyList<Tensor> Skips) Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates)
    {
        var skips = new List<Tensor>();
        var h = hidden;
        for (int i = 0; i < _resnets.Count; i++)
        {
            h = _resnets[i].Forward(h, temb);
            h = _attentions[i].Forward(h, encoderHiddenStates);
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
