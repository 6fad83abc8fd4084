using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>transformers' <c>CLIPMLP</c>: fc1, the config's activation, fc2.</summary>
public sealed class CLIPMLP : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "fc1")]
    private readonly Linear _fc1;
    [ComponentName(Name = "fc2")]
    private readonly Linear _fc2;
    private readonly string _activation;

    public CLIPMLP(ICLIPEncoderConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPMLP))
    {
        if (!CLIPActivation.IsKnown(config.HiddenAct))
            throw new ArgumentException($"unsupported hidden_act '{config.HiddenAct}'; validate the config first.", nameof(config));
        _activation = config.HiddenAct;
        _fc1 = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: true, device, dtype);
        _fc2 = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: true, device, dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = torch.NewDisposeScope();
        return _fc2.forward(CLIPActivation.Apply(_activation, _fc1.forward(hidden))).MoveToOuterDisposeScope();
    }
}
