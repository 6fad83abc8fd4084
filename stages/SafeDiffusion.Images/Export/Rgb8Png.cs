using SafeDiffusion.Diffusion.Vision;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Export;

/// <summary>PNG bytes of an <see cref="Rgb8Image"/> and back (8-bit RGB, lossless).</summary>
public static class Rgb8Png
{
    public static byte[] Encode(Rgb8Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var png = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var stream = new MemoryStream();
        png.SaveAsPng(stream);
        return stream.ToArray();
    }

    public static Rgb8Image Decode(byte[] bytes)
    {
        using var image = Image.Load<Rgb24>(bytes);
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return new Rgb8Image(pixels, image.Width, image.Height);
    }
}
