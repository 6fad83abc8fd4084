using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Imaging;

/// <summary>
/// Between the PNG bytes the image stage stores and the <see cref="Rgb8Image"/> the classifiers and feature extractors
/// take. Alpha is dropped (generated images are opaque); other formats ImageSharp reads decode too.
/// </summary>
public static class Rgb8ImageCodec
{
    /// <param name="source">Named in the error when the bytes are not an image (a dataset file and row id).</param>
    public static Rgb8Image Decode(ReadOnlySpan<byte> encoded, string source = "image")
    {
        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(encoded);
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new InputDataException(source, $"is not a readable image ({e.Message}).", fix: "Regenerate the image with the pipeline.", inner: e);
        }
        using (image)
        {
            var pixels = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(pixels);
            return new Rgb8Image(pixels, image.Width, image.Height);
        }
    }

    public static byte[] EncodePng(Rgb8Image image)
    {
        using var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        using var stream = new MemoryStream();
        img.SaveAsPng(stream);
        return stream.ToArray();
    }
}
