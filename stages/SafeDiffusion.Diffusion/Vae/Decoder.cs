using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>The VAE decoder: latents to an image in [-1, 1] (roughly; it is not clamped here).</summary>
public sealed class Decoder : DiffusersModule
{
    private const double Eps = 1e-6;
    private readonly Conv2d _convIn;
    private readonly UNetMidBlock2D _midBlock;
    private readonly ModuleList<UpDecoderBlock2D> _upBlocks;
    private readonly GroupNorm _convNormOut;
    private readonly Func<Tensor, Tensor> _act;
    private readonly Conv2d _convOut;

    public Decoder(AutoencoderKLConfig config, ModulePlacement p) : base(nameof(Decoder))
    {
        var reversed = config.BlockOutChannels.Reverse().ToList();
        int n = reversed.Count;
        _act = ActivationFunctions.Get(config.ActFn);
        _convIn = nn.Conv2d(config.LatentChannels, reversed[0], 3, stride: 1, padding: 1, device: p.Device, dtype: p.DType);
        _midBlock = new UNetMidBlock2D(reversed[0], config.NormNumGroups, Eps, _act, p);
        var blocks = new List<UpDecoderBlock2D>();
        long output = reversed[0];
        for (int i = 0; i < n; i++)
        {
            long prev = output;
            output = reversed[i];
            blocks.Add(new UpDecoderBlock2D(prev, output, config.LayersPerBlock + 1, config.NormNumGroups, Eps, _act,
                addUpsample: i != n - 1, p));
        }
        _upBlocks = nn.ModuleList(blocks.ToArray());
        _convNormOut = nn.GroupNorm(config.NormNumGroups, reversed[^1], eps: Eps, affine: true, device: p.Device, dtype: p.DType);
        _convOut = nn.Conv2d(reversed[^1], config.OutChannels, 3, padding: 1, device: p.Device, dtype: p.DType);
        register_module("conv_in", _convIn);
        register_module("mid_block", _midBlock);
        register_module("up_blocks", _upBlocks);
        register_module("conv_norm_out", _convNormOut);
        register_module("conv_out", _convOut);
    }

    public Tensor Forward(Tensor latents)
    {
        using var scope = NewDisposeScope();
        var h = ChannelBlockConvolution.Forward(_convIn, latents);
        h = _midBlock.Forward(h);
        foreach (var block in _upBlocks) h = block.Forward(h);
        h = ChannelBlockConvolution.Forward(_convOut, _act(_convNormOut.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}
