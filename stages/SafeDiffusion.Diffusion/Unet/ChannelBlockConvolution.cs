using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Runs a <see cref="Conv2d"/> so that the gradient with respect to its input is right on CPU for any number of
/// output channels. The oneDNN build inside TorchSharp 0.107's libtorch (2.7, oneDNN 3.7.1) computes that gradient
/// wrongly for a 3x3 stride-1 convolution whose output channels do not fill its channel blocks (16 floats with AVX-512,
/// 8 with AVX2) and the batch holds more than one image: far beyond rounding and now and then NaN, while the forward
/// pass and the weight gradient are right (docs/known-issues.md has the measurement; ChannelBlockConvolutionTests hold
/// the layer to float64). In bfloat16 the forward pass of such a layer is wrong too, far beyond bfloat16's own
/// rounding. Every UNet and VAE has such a layer at its end (4, 3
/// and 8 channels), so every gradient above it was wrong, and every bfloat16 prediction. When the input needs a
/// gradient, or is bfloat16 or float16, such a convolution runs with zero filters appended up to a multiple of 16
/// output channels and the extra channels cut off again: the same output, computed over whole blocks. A float32
/// forward pass without a gradient (sampling) runs as it is.
/// </summary>
public static class ChannelBlockConvolution
{
    /// <summary>The widest float32 channel block a CPU kernel uses (AVX-512); AVX2's 8 divides it.</summary>
    public const long Block = 16;

    public static Tensor Forward(Conv2d conv, Tensor input)
    {
        long outChannels = conv.out_channels;
        bool affected = input.dtype is ScalarType.BFloat16 or ScalarType.Float16 || (input.requires_grad && is_grad_enabled());
        if (!affected || outChannels % Block == 0 || conv.groups != 1 || conv.padding_mode != PaddingModes.Zeros
            || conv.padding_type is not null || input.device_type != DeviceType.CPU)
            return conv.forward(input);

        using var scope = NewDisposeScope();
        var weight = conv.weight!;
        long extra = Block - outChannels % Block;
        var padded = cat([weight, zeros([extra, .. weight.shape[1..]], weight.dtype, weight.device)], 0);
        var bias = conv.bias is { } b ? cat([b, zeros(extra, b.dtype, b.device)], 0) : null;
        var output = nn.functional.conv2d(input, padded, bias, conv.stride, conv.padding, conv.dilation, conv.groups);
        return output.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }
}
