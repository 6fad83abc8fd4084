using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>transformers' <c>LlamaMLP</c>: <c>down_proj(silu(gate_proj(x)) * up_proj(x))</c>, no biases.</summary>
public sealed class LlamaMLP : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")]
    private readonly Linear _gate;
    [ComponentName(Name = "up_proj")]
    private readonly Linear _up;
    [ComponentName(Name = "down_proj")]
    private readonly Linear _down;

    public LlamaMLP(int hidden, int intermediate, Device? device = null) : base(nameof(LlamaMLP))
    {
        _gate = nn.Linear(hidden, intermediate, hasBias: false, device: device);
        _up = nn.Linear(hidden, intermediate, hasBias: false, device: device);
        _down = nn.Linear(intermediate, hidden, hasBias: false, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = torch.NewDisposeScope();
        var gated = nn.functional.silu(_gate.forward(hidden)) * _up.forward(hidden);
        return _down.forward(gated).MoveToOuterDisposeScope();
    }
}
