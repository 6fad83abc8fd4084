using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Runs a 1x1 <see cref="Conv2d"/> over input with row-major (NCHW) strides. The oneDNN path of TorchSharp 0.107's
/// libtorch (2.7) computes a float32 1x1 convolution wrongly when its input is laid out channels-last (NHWC strides),
/// the batch holds more than one image and the layer has a few hundred output channels, as the UNet's transformer
/// projections and resnet shortcuts do: far beyond rounding, while the same values with NCHW strides come out right
/// (docs/known-issues.md has the measurement; PointwiseConvolutionTests hold such layers to float64). The port meets
/// that layout without asking for it: a [N, C, 1, 1] tensor permuted from [N, 1, 1, C] tokens (a spatial
/// transformer's output at 1x1 resolution, the UNet's deepest level for 8x8 latents) has strides that libtorch counts
/// as both NCHW- and NHWC-contiguous, so <c>contiguous()</c> keeps them and the convolution takes the NHWC path.
/// Every 1x1 convolution of the UNet and VAE therefore runs through <see cref="Forward"/>.
/// </summary>
public static class PointwiseConvolution
{
    /// <summary><paramref name="conv"/> applied to <paramref name="input"/> re-strided by <see cref="RowMajor"/>.</summary>
    public static Tensor Forward(Conv2d conv, Tensor input)
    {
        if (HasRowMajorStrides(input)) return conv.forward(input);
        using var scope = NewDisposeScope();
        return conv.forward(RowMajor(input)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same values with the row-major strides of its shape, size-1 dimensions included: <paramref name="tensor"/>
    /// itself when it has them, a view when its elements are already in row-major order (strides differing only at
    /// size-1 dimensions), a copy otherwise.
    /// </summary>
    public static Tensor RowMajor(Tensor tensor)
    {
        if (HasRowMajorStrides(tensor)) return tensor;
        using var scope = NewDisposeScope();
        // A view through one flat dimension: libtorch gives a fresh view of a 1-D tensor the row-major strides.
        return tensor.contiguous().view(-1).view(tensor.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Whether every stride of <paramref name="tensor"/> is the product of the sizes after it.</summary>
    public static bool HasRowMajorStrides(Tensor tensor)
    {
        var shape = tensor.shape;
        var strides = tensor.stride();
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }
}
