using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>Gated GELU: one projection to twice the width, split into value and gate, <c>value * gelu(gate)</c>.</summary>
public sealed class GEGLU : DiffusersModule
{
    private readonly Linear _proj;

    public GEGLU(long dimIn, long dimOut, ModulePlacement p) : base(nameof(GEGLU))
    {
        _proj = nn.Linear(dimIn, dimOut * 2, device: p.Device, dtype: p.DType);
        register_module("proj", _proj);
    }

    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var parts = _proj.forward(hidden).chunk(2, dim: -1);
        return (parts[0] * nn.functional.gelu(parts[1])).MoveToOuterDisposeScope();
    }
}
