using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>transformers' <c>CLIPEncoder</c>: <c>layers.N</c>, applied in order.</summary>
public sealed class CLIPEncoder : nn.Module
{
    [ComponentName(Name = "layers")]
    private readonly ModuleList<CLIPEncoderLayer> _layers;

    public CLIPEncoder(ICLIPEncoderConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPEncoder))
    {
        _layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new CLIPEncoderLayer(config, device, dtype)).ToArray());
        RegisterComponents();
    }

    public int LayerCount => _layers.Count;

    public Tensor forward(Tensor hidden, Tensor? mask, bool causal)
    {
        using var scope = torch.NewDisposeScope();
        var h = hidden;
        foreach (var layer in _layers) h = layer.forward(h, mask, causal);
        // With no layers the input itself comes back; hand out a tensor the caller may dispose independently.
        return (ReferenceEquals(h, hidden) ? h.alias() : h).MoveToOuterDisposeScope();
    }
}
