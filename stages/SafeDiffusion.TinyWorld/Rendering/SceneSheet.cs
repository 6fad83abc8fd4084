using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>
/// Lays images out on a grid, each scaled up by pixel repetition so tiny renders stay crisp for a human eye
/// (a world preview, or generated images beside their renders).
/// </summary>
public static class SceneSheet
{
    public static Rgb8Image Compose(IReadOnlyList<Rgb8Image> images, int columns, int scale = 4, int gap = 2)
    {
        if (images.Count == 0) throw new ArgumentException("no images.", nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        int cellW = images.Max(i => i.Width) * scale, cellH = images.Max(i => i.Height) * scale;
        int rows = (images.Count + columns - 1) / columns;
        int width = columns * cellW + (columns + 1) * gap, height = rows * cellH + (rows + 1) * gap;
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)255);
        for (int k = 0; k < images.Count; k++)
        {
            var image = images[k];
            int left = gap + (k % columns) * (cellW + gap), top = gap + (k / columns) * (cellH + gap);
            for (int y = 0; y < image.Height * scale; y++)
            for (int x = 0; x < image.Width * scale; x++)
            {
                int src = ((y / scale) * image.Width + x / scale) * 3, dst = ((top + y) * width + left + x) * 3;
                pixels[dst] = image.Pixels[src];
                pixels[dst + 1] = image.Pixels[src + 1];
                pixels[dst + 2] = image.Pixels[src + 2];
            }
        }
        return new Rgb8Image(pixels, width, height);
    }
}
