using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>A down block of the UNet: returns its output and the skip tensors the matching up block consumes.</summary>
public abstract class UNetDownBlock(string name) : DiffusersModule(name)
{
    /// <returns>The block output and, in order, one skip tensor per resnet plus one after the downsampler.</returns>
    public abstract (Tensor Hidden, IReadOnlyList<Tensor> Skips) Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates);
}
