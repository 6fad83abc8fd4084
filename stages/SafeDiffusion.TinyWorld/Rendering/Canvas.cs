using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>
/// A square float RGB buffer that shapes are painted onto with analytic anti-aliasing: each pixel takes the share
/// of a shape's signed-distance field that covers it (a one-pixel ramp across the outline), which is what 8x8
/// supersampling converges to for outlines straighter than a pixel, at one evaluation per pixel.
/// </summary>
public sealed class Canvas
{
    private readonly float[] _rgb;

    public Canvas(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        Size = size;
        _rgb = new float[size * size * 3];
    }

    public int Size { get; }

    /// <summary>Image-relative coordinate of a pixel centre.</summary>
    public double Center(int pixel) => (pixel + 0.5) / Size;

    /// <summary>Coverage of a pixel by the inside (negative side) of a field whose value at the centre is <paramref name="distance"/>.</summary>
    public float Coverage(double distance) => (float)Math.Clamp(0.5 - distance * Size, 0, 1);

    public void Set(int x, int y, RgbColor color)
    {
        int i = (y * Size + x) * 3;
        _rgb[i] = color.R;
        _rgb[i + 1] = color.G;
        _rgb[i + 2] = color.B;
    }

    public void Blend(int x, int y, RgbColor color, float alpha)
    {
        if (alpha <= 0) return;
        int i = (y * Size + x) * 3;
        _rgb[i] += (color.R - _rgb[i]) * alpha;
        _rgb[i + 1] += (color.G - _rgb[i + 1]) * alpha;
        _rgb[i + 2] += (color.B - _rgb[i + 2]) * alpha;
    }

    /// <summary>
    /// Paints a field filled with <paramref name="fill"/> inside a ring of <paramref name="outline"/>
    /// <paramref name="outlineWidth"/> wide (image-relative), over the pixels of an image-relative bounding box.
    /// </summary>
    public void PaintField(Func<double, double, double> signedDistance, (double MinX, double MinY, double MaxX, double MaxY) bounds,
        RgbColor fill, RgbColor? outline = null, double outlineWidth = 0, float opacity = 1)
    {
        var (x0, y0, x1, y1) = PixelBounds(bounds);
        for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
        {
            double d = signedDistance(Center(x), Center(y));
            if (outline is { } ring && outlineWidth > 0)
            {
                Blend(x, y, ring, Coverage(d) * opacity);
                Blend(x, y, fill, Coverage(d + outlineWidth) * opacity);
            }
            else Blend(x, y, fill, Coverage(d) * opacity);
        }
    }

    /// <summary>Pixels touched by an image-relative box, widened by a pixel for the anti-aliasing ramp and clipped.</summary>
    public (int X0, int Y0, int X1, int Y1) PixelBounds((double MinX, double MinY, double MaxX, double MaxY) bounds) =>
        (Math.Max(0, (int)Math.Floor(bounds.MinX * Size) - 1), Math.Max(0, (int)Math.Floor(bounds.MinY * Size) - 1),
         Math.Min(Size - 1, (int)Math.Ceiling(bounds.MaxX * Size) + 1), Math.Min(Size - 1, (int)Math.Ceiling(bounds.MaxY * Size) + 1));

    public Rgb8Image ToImage()
    {
        var bytes = new byte[_rgb.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)Math.Clamp((int)MathF.Round(_rgb[i] * 255f), 0, 255);
        return new Rgb8Image(bytes, Size, Size);
    }
}
