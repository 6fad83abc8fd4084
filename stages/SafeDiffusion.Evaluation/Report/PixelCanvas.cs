using SafeDiffusion.Images.Sheets;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// Rectangles, lines, images and 5x7 bitmap text on an RGBA image: everything the charts and grids draw, without a
/// vector graphics library. Drawing outside the canvas is clipped.
/// </summary>
internal sealed class PixelCanvas : IDisposable
{
    public PixelCanvas(int width, int height, Rgba32 background)
    {
        Image = new Image<Rgba32>(width, height, background);
    }

    public Image<Rgba32> Image { get; }

    public int Width => Image.Width;

    public int Height => Image.Height;

    public static int TextWidth(string text, int scale) => BitmapFont5x7.MeasureWidth(text.Length, scale);

    public static int TextHeight(int scale) => BitmapFont5x7.GlyphHeight * scale;

    public void Fill(int left, int top, int width, int height, Rgba32 color)
    {
        int x0 = Math.Max(0, left), y0 = Math.Max(0, top);
        int x1 = Math.Min(Width, left + width), y1 = Math.Min(Height, top + height);
        if (x0 >= x1 || y0 >= y1) return;
        Image.ProcessPixelRows(rows =>
        {
            for (int y = y0; y < y1; y++) rows.GetRowSpan(y)[x0..x1].Fill(color);
        });
    }

    public void Outline(int left, int top, int width, int height, Rgba32 color, int thickness = 1)
    {
        Fill(left, top, width, thickness, color);
        Fill(left, top + height - thickness, width, thickness, color);
        Fill(left, top, thickness, height, color);
        Fill(left + width - thickness, top, thickness, height, color);
    }

    /// <summary>A horizontal dotted line (every other <paramref name="dash"/> pixels), for gridlines that stay out of the way.</summary>
    public void DashedHorizontal(int left, int right, int y, Rgba32 color, int dash = 3)
    {
        for (int x = left; x < right; x += 2 * dash) Fill(x, y, Math.Min(dash, right - x), 1, color);
    }

    public void Pixel(int x, int y, Rgba32 color)
    {
        if ((uint)x < (uint)Width && (uint)y < (uint)Height) Image[x, y] = color;
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y); characters outside ASCII draw as '?'.</summary>
    public void Text(string text, int x, int y, int scale, Rgba32 color, bool bold = false)
    {
        BitmapFont5x7.Draw(text, x, y, scale, (px, py) => Pixel(px, py, color));
        // A one-pixel overdraw reads as bold at every scale, which a 5x7 font has no other way to show.
        if (bold) BitmapFont5x7.Draw(text, x + 1, y, scale, (px, py) => Pixel(px, py, color));
    }

    public void TextCentered(string text, int centreX, int y, int scale, Rgba32 color, bool bold = false) =>
        Text(text, centreX - TextWidth(text, scale) / 2, y, scale, color, bold);

    public void TextRight(string text, int right, int y, int scale, Rgba32 color) =>
        Text(text, right - TextWidth(text, scale), y, scale, color);

    /// <summary>Draws <paramref name="text"/> rotated a quarter turn anticlockwise, reading bottom to top (a y-axis title).</summary>
    public void TextVertical(string text, int x, int bottom, int scale, Rgba32 color)
    {
        BitmapFont5x7.Draw(text, 0, 0, scale, (px, py) => Pixel(x + py, bottom - px, color));
    }

    public void DrawImage(Image<Rgba32> image, int left, int top) =>
        Image.Mutate(ctx => ctx.DrawImage(image, new Point(left, top), 1f));

    public byte[] ToPng()
    {
        using var stream = new MemoryStream();
        Image.SaveAsPng(stream);
        return stream.ToArray();
    }

    public void Dispose() => Image.Dispose();
}
