namespace SafeDiffusion.Diffusion.Vision;

/// <summary>An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B (height x width x 3 bytes).</summary>
public sealed record Rgb8Image
{
    public Rgb8Image(byte[] pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is empty.");
        if (pixels.LongLength != 3L * width * height)
            throw new ArgumentException($"{pixels.Length} bytes do not make a {width}x{height} RGB image ({3L * width * height} bytes).", nameof(pixels));
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    public byte[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }
}
