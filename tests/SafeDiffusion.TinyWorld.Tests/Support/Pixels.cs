using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.TinyWorld.Tests.Support;

/// <summary>Pixel reads for assertions about renders.</summary>
public static class Pixels
{
    public static (int R, int G, int B) At(Rgb8Image image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
    }

    /// <summary>Mean colour of rows [from, to) across the whole width.</summary>
    public static (double R, double G, double B) RowMean(Rgb8Image image, int from, int to)
    {
        double r = 0, g = 0, b = 0;
        int n = 0;
        for (int y = from; y < to; y++)
        for (int x = 0; x < image.Width; x++)
        {
            var (pr, pg, pb) = At(image, x, y);
            r += pr; g += pg; b += pb; n++;
        }
        return (r / n, g / n, b / n);
    }

    public static int Count(Rgb8Image image, Func<int, int, int, bool> predicate) => Count(image, 0, image.Height, predicate);

    /// <summary>Pixels of rows [from, to) that <paramref name="predicate"/> accepts.</summary>
    public static int Count(Rgb8Image image, int from, int to, Func<int, int, int, bool> predicate)
    {
        int count = 0;
        for (int i = from * image.Width * 3; i < to * image.Width * 3; i += 3)
            if (predicate(image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2])) count++;
        return count;
    }
}
