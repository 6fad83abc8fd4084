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
        _resnets = nn.ModuleList(Resnets(s));
        _attentions = nn.ModuleList(Enumerable.Range(0, s.Layers).Select(_ => s.Transformer(s.OutChannels)).ToArray());
        register_module("attentions", _attentions);
        register_module("resnets", _resnets);
        _downsampler = RegisterDownsampler(s, addDownsample, downsamplePadding);
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
