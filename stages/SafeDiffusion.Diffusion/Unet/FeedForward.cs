using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// The transformer block's MLP, laid out as diffusers' <c>net</c> list: <c>net.0</c> GEGLU to 4x width,
/// <c>net.1</c> dropout, <c>net.2</c> the projection back.
/// </summary>
public sealed class FeedForward : DiffusersModule
{
    private const int Mult = 4;
    private readonly GEGLU _geglu;
    private readonly Dropout _dropout;
    private readonly Linear _out;

    public FeedForward(long dim, double dropout, ModulePlacement p) : base(nameof(FeedForward))
    {
        long inner = dim * Mult;
        _geglu = new GEGLU(dim, inner, p);
        _dropout = nn.Dropout(dropout);
        _out = nn.Linear(inner, dim, device: p.Device, dtype: p.DType);
        register_module("net", nn.ModuleList<nn.Module>(_geglu, _dropout, _out));
    }

    public Tensor Forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return _out.forward(_dropout.forward(_geglu.Forward(hidden))).MoveToOuterDisposeScope();
    }
}
