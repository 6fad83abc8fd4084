using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>
/// Stable Diffusion's KL autoencoder (diffusers <c>AutoencoderKL</c>): <see cref="Encode"/> gives the latent
/// posterior of an image in [-1, 1]; <see cref="Decode"/> maps (unscaled) latents back to an image. Callers scale
/// latents by <see cref="ScalingFactor"/> themselves, as in diffusers.
/// </summary>
public sealed class AutoencoderKL : DiffusersModule
{
    private readonly Encoder _encoder;
    private readonly Decoder _decoder;
    private readonly Conv2d _quantConv;
    private readonly Conv2d _postQuantConv;

    public AutoencoderKL(AutoencoderKLConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(AutoencoderKL))
    {
        LibTorchRuntime.EnsureLoadable();
        config.Validate("config.json");
        Config = config;
        var p = new ModulePlacement(device ?? CPU, dtype ?? ScalarType.Float32);
        Device = p.Device!;
        DType = p.DType!.Value;
        _encoder = new Encoder(config, p);
        _decoder = new Decoder(config, p);
        _quantConv = nn.Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1, device: p.Device, dtype: p.DType);
        _postQuantConv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1, device: p.Device, dtype: p.DType);
        register_module("encoder", _encoder);
        register_module("decoder", _decoder);
        register_module("quant_conv", _quantConv);
        register_module("post_quant_conv", _postQuantConv);
    }

    public AutoencoderKLConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }
    public double ScalingFactor => Config.ScalingFactor;

    /// <summary>
    /// Builds the VAE of <c>config.json</c> in <paramref name="componentDirectory"/> and loads its weights. Older
    /// exports name the mid-block attention <c>query/key/value/proj_attn</c>; they load as diffusers 0.21 converts them.
    /// </summary>
    public static AutoencoderKL FromFolder(string componentDirectory, ScalarType dtype, Device device, string? variant = null)
    {
        LibTorchRuntime.EnsureLoadable();
        var config = AutoencoderKLConfig.Read(Path.Combine(componentDirectory, "config.json"));
        var model = new AutoencoderKL(config, device, dtype);
        try
        {
            ModelFolder.ComponentModuleLoader.LoadStrict(model, componentDirectory, variant, "vae", LegacyAttentionName);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The pre-0.14 name of a mid-block attention weight, or null for other weights.</summary>
    internal static string? LegacyAttentionName(string key)
    {
        if (!key.Contains("mid_block.attentions.", StringComparison.Ordinal)) return null;
        foreach (var (now, before) in LegacyPairs)
            if (key.Contains(now, StringComparison.Ordinal)) return key.Replace(now, before, StringComparison.Ordinal);
        return null;
    }

    private static readonly (string Now, string Before)[] LegacyPairs =
        [(".to_q.", ".query."), (".to_k.", ".key."), (".to_v.", ".value."), (".to_out.0.", ".proj_attn.")];

    /// <param name="image">[B, 3, H, W] in [-1, 1].</param>
    public DiagonalGaussianDistribution Encode(Tensor image)
    {
        using var scope = NewDisposeScope();
        var moments = PointwiseConvolution.Forward(_quantConv, _encoder.Forward(image));
        return new DiagonalGaussianDistribution(moments);
    }

    /// <summary>Decodes the whole batch in one decoder call (its activations grow with the batch).</summary>
    /// <param name="latents">[B, latent_channels, h, w], already divided by the scaling factor.</param>
    /// <returns>[B, 3, h * f, w * f] image, nominally in [-1, 1].</returns>
    public Tensor Decode(Tensor latents)
    {
        using var scope = NewDisposeScope();
        return _decoder.Forward(PointwiseConvolution.Forward(_postQuantConv, latents)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes <paramref name="imagesAtOnce"/> images at a time and concatenates the results (with one, diffusers'
    /// <c>enable_slicing</c>), so the decoder's activations, the largest of a txt2img call at 768 px, are that many
    /// images' whatever the batch. With <paramref name="tiled"/>, latents larger than <see cref="TileLatentSize"/> are
    /// decoded one image at a time in overlapping tiles (<see cref="DecodeTiled"/>); smaller ones are decoded whole.
    /// </summary>
    /// <param name="latents">[B, latent_channels, h, w], already divided by the scaling factor.</param>
    /// <param name="tiled">Decode images larger than a tile in tiles.</param>
    /// <param name="imagesAtOnce">Images per decoder call, at least 1.</param>
    /// <returns>[B, 3, h * f, w * f], equal to <see cref="Decode"/>'s up to float rounding when not tiled.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="imagesAtOnce"/> is below 1.</exception>
    public Tensor DecodeEach(Tensor latents, bool tiled, int imagesAtOnce)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imagesAtOnce, 1);
        using var scope = NewDisposeScope();
        bool tiles = tiled && (latents.shape[^1] > TileLatentSize || latents.shape[^2] > TileLatentSize);
        long chunk = tiles ? 1 : imagesAtOnce;
        var images = new List<Tensor>();
        for (long i = 0; i < latents.shape[0]; i += chunk)
        {
            using var chunkScope = NewDisposeScope();
            var some = latents.narrow(0, i, Math.Min(chunk, latents.shape[0] - i));
            images.Add((tiles ? DecodeTiled(some) : Decode(some)).MoveToOuterDisposeScope());
        }
        return cat(images).MoveToOuterDisposeScope();
    }

    /// <summary>The image side a decoder tile covers: the config's <c>sample_size</c>, as diffusers 0.21 sets it.</summary>
    public int TileSampleSize => Config.SampleSize.Values[0];

    /// <summary>The latent side of a tile: <see cref="TileSampleSize"/> over the downscale factor.</summary>
    public int TileLatentSize => TileSampleSize / Config.DownscaleFactor;

    /// <summary>The share of a tile that overlaps its neighbour (diffusers' <c>tile_overlap_factor</c>).</summary>
    public const double TileOverlap = 0.25;

    /// <summary>
    /// diffusers 0.21 <c>AutoencoderKL.tiled_decode</c>: the latents are cut into tiles of <see cref="TileLatentSize"/>
    /// that start every <c>TileLatentSize * (1 - overlap)</c>, each tile is decoded alone, and each decoded tile is
    /// blended linearly into the one above and the one to its left over <c>TileSampleSize * overlap</c> pixels before
    /// its first <c>TileSampleSize * (1 - overlap)</c> rows and columns are kept. The result differs from a whole
    /// decode near tile seams (the decoder's receptive field is cut there); memory is one tile's activations.
    /// </summary>
    /// <param name="latents">[B, latent_channels, h, w], already divided by the scaling factor.</param>
    /// <returns>[B, 3, h * f, w * f].</returns>
    public Tensor DecodeTiled(Tensor latents)
    {
        using var scope = NewDisposeScope();
        int tileLatent = TileLatentSize, tileSample = TileSampleSize;
        int stride = (int)(tileLatent * (1 - TileOverlap));
        int blend = (int)(tileSample * TileOverlap);
        int keep = tileSample - blend;
        long h = latents.shape[2], w = latents.shape[3];
        var rows = new List<List<Tensor>>();
        for (long i = 0; i < h; i += stride)
        {
            var row = new List<Tensor>();
            for (long j = 0; j < w; j += stride)
            {
                var tile = latents.narrow(2, i, Math.Min(tileLatent, h - i)).narrow(3, j, Math.Min(tileLatent, w - j));
                row.Add(Decode(tile));
            }
            rows.Add(row);
        }
        var resultRows = new List<Tensor>();
        for (int i = 0; i < rows.Count; i++)
        {
            var resultRow = new List<Tensor>();
            for (int j = 0; j < rows[i].Count; j++)
            {
                var tile = rows[i][j];
                // In place, as diffusers does: a blended tile is what its right and lower neighbours blend with.
                if (i > 0) BlendInto(rows[i - 1][j], tile, blend, dim: 2);
                if (j > 0) BlendInto(rows[i][j - 1], tile, blend, dim: 3);
                resultRow.Add(tile.narrow(2, 0, Math.Min(keep, tile.shape[2])).narrow(3, 0, Math.Min(keep, tile.shape[3])));
            }
            resultRows.Add(cat(resultRow, 3));
        }
        return cat(resultRows, 2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// diffusers' <c>blend_v</c> (dim 2) / <c>blend_h</c> (dim 3): the first <paramref name="extent"/> lines of
    /// <paramref name="next"/> fade from the last lines of <paramref name="previous"/> (weight 1 - y / extent) to its own.
    /// </summary>
    private static void BlendInto(Tensor previous, Tensor next, int extent, int dim)
    {
        using var scope = NewDisposeScope();
        extent = (int)Math.Min(Math.Min(previous.shape[dim], next.shape[dim]), extent);
        if (extent == 0) return;
        using var noGrad = no_grad();
        var shape = Enumerable.Repeat(1L, 4).ToArray();
        shape[dim] = extent;
        var weight = (arange(extent, ScalarType.Float64, next.device) / extent).to_type(next.dtype).reshape(shape);
        var tail = previous.narrow(dim, previous.shape[dim] - extent, extent);
        var head = next.narrow(dim, 0, extent);
        head.copy_(tail * (1 - weight) + head * weight);
    }
}
