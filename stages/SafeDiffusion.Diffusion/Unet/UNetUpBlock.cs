using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>An up block of the UNet: each resnet concatenates one skip tensor (taken last-first) to its input.</summary>
public abstract class UNetUpBlock(string name) : DiffusersModule(name)
{
    /// <summary>How many skip tensors this block consumes.</summary>
    public abstract int ResnetCount { get; }

    /// <param name="skips">This block's skip tensors in the order the down path produced them.</param>
    /// <param name="upsampleSize">Explicit output size for the upsampler when the input size is not a power-of-two multiple.</param>
    public abstract Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor encoderHiddenStates, long[]? upsampleSize);
}
