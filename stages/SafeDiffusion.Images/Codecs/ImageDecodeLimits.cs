namespace SafeDiffusion.Images.Codecs;

/// <summary>
/// The largest image <see cref="BoundedImageDecoder"/> decodes. The header is checked against these before any pixel
/// memory is taken, so a small file claiming a huge canvas (a GIF or a PNG zlib bomb) costs nothing.
/// </summary>
/// <param name="MaxWidth">Widest image accepted, in pixels.</param>
/// <param name="MaxHeight">Tallest image accepted, in pixels.</param>
/// <param name="MaxPixels">Most pixels (width times height) accepted.</param>
public sealed record ImageDecodeLimits(int MaxWidth = ImageDecodeLimits.DefaultSide, int MaxHeight = ImageDecodeLimits.DefaultSide,
    long MaxPixels = (long)ImageDecodeLimits.DefaultSide * ImageDecodeLimits.DefaultSide)
{
    /// <summary>The default side: 4096 pixels, far above any image the pipeline makes or trains on.</summary>
    public const int DefaultSide = 4096;

    /// <summary>4096 x 4096, at most 16 Mi pixels.</summary>
    public static ImageDecodeLimits Default { get; } = new();

    /// <summary>A square limit of <paramref name="side"/> pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="side"/> is below 1.</exception>
    public static ImageDecodeLimits Square(int side)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        return new ImageDecodeLimits(side, side, (long)side * side);
    }

    /// <summary>Whether an image of this size is allowed; <paramref name="problem"/> says which limit it breaks.</summary>
    public bool Allows(int width, int height, out string problem)
    {
        problem = "";
        if (width <= 0 || height <= 0) problem = $"claims a size of {width}x{height} pixels.";
        else if (width > MaxWidth || height > MaxHeight)
            problem = $"is {width}x{height} pixels, more than the {MaxWidth}x{MaxHeight} allowed.";
        else if ((long)width * height > MaxPixels)
            problem = $"is {width}x{height} = {(long)width * height} pixels, more than the {MaxPixels} allowed.";
        return problem.Length == 0;
    }
}
