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

    /// <summary>Decodes any image ImageSharp reads (PNG, JPEG, ...) to RGB8; <paramref name="source"/> names it in errors.</summary>
    public static Rgb8Image Decode(ReadOnlySpan<byte> bytes, string source)
    {
        try
        {
            using var img = Image.Load<Rgb24>(bytes);
            var pixels = new byte[img.Width * img.Height * 3];
            img.CopyPixelDataTo(pixels);
            return new Rgb8Image(pixels, img.Width, img.Height);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InputDataException(source, $"is not a readable image ({e.Message}).");
        }
    }
}
