using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Doubles the resolution (nearest neighbour, or to an explicit size when the input was not a multiple of the
/// UNet's overall down factor) followed by a 3x3 <c>conv</c>.
/// </summary>
public sealed class Upsample2D : DiffusersModule
{
    private readonly Conv2d _conv;

    public Upsample2D(long channels, long outChannels, ModulePlacement p) : base(nameof(Upsample2D))
    {
        _conv = nn.Conv2d(channels, outChannels, 3, stride: 1, padding: 1, device: p.Device, dtype: p.DType);
        register_module("conv", _conv);
    }

    public Tensor Forward(Tensor hidden, long[]? outputSize = null)
    {
        using var scope = NewDisposeScope();
        var dtype = hidden.dtype;
        // Nearest upsampling has no bfloat16 kernel in older libtorch builds; diffusers upcasts for it too.
        var x = dtype == ScalarType.BFloat16 ? hidden.to_type(ScalarType.Float32) : hidden;
        x = outputSize is null
            ? nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(x, size: outputSize, mode: InterpolationMode.Nearest);
        if (dtype == ScalarType.BFloat16) x = x.to_type(dtype);
        return ChannelBlockConvolution.Forward(_conv, x).MoveToOuterDisposeScope();
    }
}
