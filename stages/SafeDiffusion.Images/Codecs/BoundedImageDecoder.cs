using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Codecs;

/// <summary>
/// The one way the project turns image bytes into pixels, whoever wrote them (its own PNGs, users' reference
/// images, image columns of foreign Parquet files). Only PNG and JPEG are decoded; every other format ImageSharp
/// knows (GIF, BMP, TGA, TIFF, WebP, PBM) is refused by name. The header is read first and its width, height and
/// pixel count are checked against <see cref="ImageDecodeLimits"/> before any pixel memory is taken.
/// </summary>
/// <remarks>
/// Every failure is an <see cref="InputDataException"/> naming <c>source</c> (a file, or a file and row), so a
/// bad image in a dataset ends in one clear message with exit code 3.
/// </remarks>
public static class BoundedImageDecoder
{
    /// <summary>The formats decoded, by the names used in messages.</summary>
    public static IReadOnlyList<string> AcceptedFormats { get; } = ["PNG", "JPEG"];

    // PNG and JPEG only: the other decoders are never reachable from untrusted bytes.
    private static readonly Configuration Formats = new(new PngConfigurationModule(), new JpegConfigurationModule());

    /// <summary>The width and height from the image's header, without decoding pixels.</summary>
    /// <exception cref="InputDataException">Not a PNG or JPEG, a damaged header, or larger than <paramref name="limits"/>.</exception>
    public static Size Identify(byte[] bytes, string source, ImageDecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        limits ??= ImageDecodeLimits.Default;
        var info = Guard(source, () => Image.Identify(Formats, bytes, out _));
        if (info is null) throw Refused(bytes, source);
        if (!limits.Allows(info.Width, info.Height, out var problem))
            throw new InputDataException(source, $"is an image that {problem}", fix: "Shrink the image, or raise the image size limit.");
        return new Size(info.Width, info.Height);
    }

    /// <summary>Decodes a PNG or JPEG within <paramref name="limits"/> to <typeparamref name="TPixel"/>; the caller disposes it.</summary>
    /// <exception cref="InputDataException">See <see cref="Identify"/>; also damaged pixel data, or too little memory for it.</exception>
    public static Image<TPixel> Decode<TPixel>(byte[] bytes, string source, ImageDecodeLimits? limits = null)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var size = Identify(bytes, source, limits);
        var image = Guard(source, () => Image.Load<TPixel>(Formats, bytes));
        if (image.Width != size.Width || image.Height != size.Height)
        {
            // A header that disagrees with the pixels is a damaged file, never something to trust.
            image.Dispose();
            throw new InputDataException(source, $"is an image whose header says {size.Width}x{size.Height} but whose pixels are {image.Width}x{image.Height}.");
        }
        return image;
    }

    /// <summary>Decodes a PNG or JPEG within <paramref name="limits"/> to HWC RGB8.</summary>
    /// <exception cref="InputDataException">See <see cref="Decode{TPixel}"/>.</exception>
    public static Rgb8Image DecodeRgb8(byte[] bytes, string source, ImageDecodeLimits? limits = null)
    {
        using var image = Decode<Rgb24>(bytes, source, limits);
        var pixels = new byte[checked(image.Width * image.Height * 3)];
        image.CopyPixelDataTo(pixels);
        return new Rgb8Image(pixels, image.Width, image.Height);
    }

    /// <summary>The name of the format the bytes look like (PNG, GIF, ...), or null when none is recognised.</summary>
    public static string? FormatName(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        // Detection compares a few header bytes with each format's signature; nothing is decoded.
        return Image.DetectFormat(Configuration.Default, bytes)?.Name;
    }

    private static InputDataException Refused(byte[] bytes, string source)
    {
        var accepted = string.Join(" and ", AcceptedFormats);
        return FormatName(bytes) is { } name && !AcceptedFormats.Contains(name, StringComparer.OrdinalIgnoreCase)
            ? new InputDataException(source, $"is a {name} image; only {accepted} images are read.", fix: $"Convert it to PNG.")
            : new InputDataException(source, $"is not a {accepted} image (unrecognised header).");
    }

    private static T Guard<T>(string source, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (InvalidMemoryOperationException e)
        {
            throw new InputDataException(source, $"is an image too large to decode in memory ({e.Message}).", inner: e);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or ImageProcessingException
                                   or SixLabors.ImageSharp.Metadata.Profiles.Icc.InvalidIccProfileException)
        {
            throw new InputDataException(source, $"is not a readable image ({e.Message}).", inner: e);
        }
    }
}
