using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Diffusion.Vae;

namespace SafeDiffusion.Images.Generation;

/// <summary>
/// What a txt2img replica asks the device scheduler for: its weights as stored on disk (an upper bound for fp16
/// files loaded in fp16) plus the larger of the two activation peaks, the UNet's over the doubled (classifier-free
/// guidance) batch and the VAE's decoding (<c>vae-decode-batch</c> images at a time, one by default; with tiling, one tile). The
/// per-pixel figures are float32 upper bounds; the budget it is checked against is the user's `devices[].memory`.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>
    /// UNet activations per image pixel per batch row (the doubled, guided batch), float32. Must stay at or above what
    /// `pipeline bench memory` measures for SD 1.4 at 512 px and SD 2.1 at 768 px (batch 8: the peak less the
    /// models-loaded resident size, over the 16 rows' pixels) so a lease covers the run; MemoryEstimateTests holds the
    /// estimate to the measured peaks recorded in docs/real-models.md, "Memory". One constant serves both resolutions, so
    /// it follows the larger per-pixel need and books the other resolution somewhat over.
    /// </summary>
    public const long UnetActivationBytesPerPixel = 1280;

    /// <summary>
    /// VAE decoder activations per pixel of the one image (or tile) being decoded, float32: the decoder's last up
    /// blocks hold several planes of 128 to 256 channels at full resolution at once. Must stay at or above a measured
    /// one-image decode (the same benchmark and test).
    /// </summary>
    public const long VaeDecodeBytesPerPixel = 8 * 1024;

    /// <summary>The lease for a txt2img replica of the model folder, its weights counted from the files.</summary>
    public static ByteSize ForTxt2Img(string modelDirectory, ImageGenerationConfig config)
    {
        long weights = 0;
        foreach (var component in new[] { "unet", "vae", "text_encoder" })
        {
            var dir = Path.Combine(modelDirectory, component);
            if (!Directory.Exists(dir)) continue;
            // One weight file per component counts (a folder may hold fp32 and fp16 copies of the same weights).
            weights += Directory.EnumerateFiles(dir, "*.safetensors").Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max();
        }
        return ForTxt2Img(weights, config, TilePixels(modelDirectory, config));
    }

    /// <summary>
    /// The lease for <paramref name="weightBytes"/> of loaded weights; <paramref name="tilePixels"/> is one VAE tile's
    /// pixels where tiling is on (null: whole images are decoded).
    /// </summary>
    public static ByteSize ForTxt2Img(long weightBytes, ImageGenerationConfig config, long? tilePixels = null)
    {
        long pixels = (long)config.Width * config.Height;
        long unet = 2L * config.BatchSize * pixels * UnetActivationBytesPerPixel;
        long decoded = tilePixels is { } t && t < pixels ? t : pixels * Math.Min(config.VaeDecodeBatch, config.BatchSize);
        long vae = decoded * VaeDecodeBytesPerPixel;
        return new ByteSize(weightBytes + Math.Max(unet, vae) + (64L << 20));
    }

    /// <summary>The pixels of one VAE tile when tiling is on and the model folder's VAE config can be read.</summary>
    private static long? TilePixels(string modelDirectory, ImageGenerationConfig config)
    {
        if (!config.VaeTiling) return null;
        var path = Path.Combine(modelDirectory, "vae", "config.json");
        if (!File.Exists(path)) return null;
        long side = AutoencoderKLConfig.Read(path).SampleSize.Values[0];
        return side * side;
    }
}
