using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>
/// The VAE encoder: image to the moments (mean and log-variance, 2 x latent channels) of the latent posterior.
/// Its downsamplers pad right/bottom only (diffusers <c>downsample_padding=0</c>).
/// </summary>
public sealed class Encoder : DiffusersModule
{
    private const double Eps = 1e-6;
    private readonly Conv2d _convIn;
    private readonly ModuleList<DownEncoderBlock2D> _downBlocks;
    private readonly UNetMidBlock2D _midBlock;
    private readonly GroupNorm _convNormOut;
    private readonly Func<Tensor, Tensor> _act;
    private readonly Conv2d _convOut;

    public Encoder(AutoencoderKLConfig config, ModulePlacement p) : base(nameof(Encoder))
    {
        var channels = config.BlockOutChannels;
        int n = channels.Count;
        _act = ActivationFunctions.Get(config.ActFn);
        _convIn = nn.Conv2d(config.InChannels, channels[0], 3, stride: 1, padding: 1, device: p.Device, dtype: p.DType);
        var blocks = new List<DownEncoderBlock2D>();
        long output = channels[0];
        for (int i = 0; i < n; i++)
        {
            long input = output;
            output = channels[i];
            blocks.Add(new DownEncoderBlock2D(input, output, config.LayersPerBlock, config.NormNumGroups, Eps, _act,
                addDownsample: i != n - 1, downsamplePadding: 0, p));
        }
        _downBlocks = nn.ModuleList(blocks.ToArray());
        _midBlock = new UNetMidBlock2D(channels[^1], config.NormNumGroups, Eps, _act, p);
        _convNormOut = nn.GroupNorm(config.NormNumGroups, channels[^1], eps: Eps, affine: true, device: p.Device, dtype: p.DType);
        _convOut = nn.Conv2d(channels[^1], 2 * config.LatentChannels, 3, padding: 1, device: p.Device, dtype: p.DType);
        register_module("conv_in", _convIn);
        register_module("down_blocks", _downBlocks);
        register_module("mid_block", _midBlock);
        register_module("conv_norm_out", _convNormOut);
        register_module("conv_out", _convOut);
    }

    public Tensor Forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var h = _convIn.forward(image);
        foreach (var block in _downBlocks) h = block.Forward(h);
        h = _midBlock.Forward(h);
        h = ChannelBlockConvolution.Forward(_convOut, _act(_convNormOut.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}
