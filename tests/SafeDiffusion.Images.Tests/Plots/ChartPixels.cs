using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Plots;

namespace SafeDiffusion.Images.Tests.Plots;

/// <summary>Reads a rendered chart back: which pixels carry a colour. Lines are anti-aliased, so "near" allows a little blending at their edges.</summary>
internal static class ChartPixels
{
    public static List<(int X, int Y)> Near(Rgb8Image image, ChartColor c, int tolerance = 24)
    {
        var found = new List<(int X, int Y)>();
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        {
            int i = (y * image.Width + x) * 3;
            if (Math.Abs(image.Pixels[i] - c.R) <= tolerance && Math.Abs(image.Pixels[i + 1] - c.G) <= tolerance && Math.Abs(image.Pixels[i + 2] - c.B) <= tolerance)
                found.Add((x, y));
        }
        return found;
    }

    public static int Count(Rgb8Image image, Func<byte, byte, byte, bool> match)
    {
        int n = 0;
        for (int i = 0; i < image.Width * image.Height; i++)
            if (match(image.Pixels[3 * i], image.Pixels[3 * i + 1], image.Pixels[3 * i + 2])) n++;
        return n;
    }

    /// <summary>Pixels dark enough to be text or axis ink, inside a rectangle.</summary>
    public static int Dark(Rgb8Image image, int left, int top, int width, int height)
    {
        int n = 0;
        for (int y = top; y < Math.Min(image.Height, top + height); y++)
        for (int x = left; x < Math.Min(image.Width, left + width); x++)
        {
            int i = (y * image.Width + x) * 3;
            if (image.Pixels[i] < 100 && image.Pixels[i + 1] < 100 && image.Pixels[i + 2] < 100) n++;
        }
        return n;
    }
}
