using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Halves the resolution with a stride-2 3x3 <c>conv</c>. With <c>padding</c> 0 (the VAE encoder) the input is
/// first padded on the right and bottom only, as in the original LDM code.
/// </summary>
public sealed class Downsample2D : DiffusersModule
{
    private readonly Conv2d _conv;
    private readonly long _padding;

    public Downsample2D(long channels, long outChannels, long padding, ModulePlacement p) : base(nameof(Downsample2D))
    {
        _padding = padding;
        _conv = nn.Conv2d(channels, outChannels, 3, stride: 2, padding: padding, device: p.Device, dtype: p.DType);
        register_module("conv", _conv);
    }

    public Tensor Forward(Tensor hidden)
    {
        if (_padding != 0) return _conv.forward(hidden);
        using var padded = nn.functional.pad(hidden, [0, 1, 0, 1], PaddingModes.Constant, 0);
        return _conv.forward(padded);
    }
}
