using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>A down block of the UNet: returns its output and the skip tensors the matching up block consumes.</summary>
public abstract class UNetDownBlock(string name) : DiffusersModule(name)
{
    /// <returns>The block output and, in order, one skip tensor per resnet plus one after the downsampler.</returns>
    public abstract (Tensor Hidden, IReadOnlyList<Tensor> Skips) Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates);

    /// <summary>The block's resnets: the first from the block's input width, the others at its output width.</summary>
    protected static ResnetBlock2D[] Resnets(UNetBlockSettings s) =>
        Enumerable.Range(0, s.Layers).Select(i => s.Resnet(i == 0 ? s.InChannels : s.OutChannels, s.OutChannels)).ToArray();

    /// <summary>Registers <c>downsamplers.0</c> when the block has one (every down block but the last).</summary>
    protected Downsample2D? RegisterDownsampler(UNetBlockSettings s, bool addDownsample, long padding)
    {
        if (!addDownsample) return null;
        var downsampler = new Downsample2D(s.OutChannels, s.OutChannels, padding, s.Placement);
        register_module("downsamplers", nn.ModuleList(downsampler));
        return downsampler;
    }
}
