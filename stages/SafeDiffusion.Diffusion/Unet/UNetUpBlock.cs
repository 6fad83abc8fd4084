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

    /// <summary>
    /// The block's resnets as diffusers sizes them: the first takes the output of the block below, the others the
    /// previous resnet's; each adds one skip, the last the down block's input width (<paramref name="s"/>.InChannels).
    /// </summary>
    protected static ResnetBlock2D[] SkipResnets(UNetBlockSettings s, long prevOutputChannels) =>
        Enumerable.Range(0, s.Layers).Select(i =>
        {
            long skip = i == s.Layers - 1 ? s.InChannels : s.OutChannels;
            long input = i == 0 ? prevOutputChannels : s.OutChannels;
            return s.Resnet(input + skip, s.OutChannels);
        }).ToArray();

    /// <summary>Registers <c>upsamplers.0</c> when the block has one (every up block but the last).</summary>
    protected Upsample2D? RegisterUpsampler(UNetBlockSettings s, bool addUpsample)
    {
        if (!addUpsample) return null;
        var upsampler = new Upsample2D(s.OutChannels, s.OutChannels, s.Placement);
        register_module("upsamplers", nn.ModuleList(upsampler));
        return upsampler;
    }
}
