using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Codecs;

/// <summary>
/// PNG bytes to and from <see cref="Rgb8Image"/> (HWC RGB8), the form every model in the project consumes.
/// Encoding is deterministic for the same pixels, so an image's sha256 identifies its content.
/// </summary>
public static class PngCodec
{
    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.DefaultCompression,
        // No time chunks or text: the same pixels always give the same bytes.
        ChunkFilter = PngChunkFilter.ExcludeAll,
    };

    public static byte[] Encode(Rgb8Image image)
    {
        using var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var ms = new MemoryStream();
        img.Save(ms, Encoder);
        return ms.ToArray();
    }

    /// <summary>
    /// Decodes a PNG or JPEG to RGB8 through <see cref="BoundedImageDecoder"/>; <paramref name="source"/> names it in
    /// errors (a file, or a file and row).
    /// </summary>
    /// <exception cref="InputDataException">Another format, a damaged image, or one larger than <paramref name="limits"/>.</exception>
    public static Rgb8Image Decode(byte[] bytes, string source, ImageDecodeLimits? limits = null) =>
        BoundedImageDecoder.DecodeRgb8(bytes, source, limits);

    /// <inheritdoc cref="Decode(byte[], string, ImageDecodeLimits?)"/>
    public static Rgb8Image Decode(ReadOnlySpan<byte> bytes, string source, ImageDecodeLimits? limits = null) =>
        BoundedImageDecoder.DecodeRgb8(bytes.ToArray(), source, limits);
}
