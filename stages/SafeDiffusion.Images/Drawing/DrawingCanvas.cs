using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace SafeDiffusion.Images.Drawing;

/// <summary>
/// An RGBA raster that sheets and report grids are composed on: filled rectangles, pictures, and anti-aliased text
/// in <see cref="DrawingFonts"/>. Positions are pixels from the top-left corner; text is placed by the top of its
/// line box, so a line of size s occupies [y, y + <see cref="LineHeight"/>(s)). Drawing outside the canvas is clipped.
/// Colours are given as ImageSharp <see cref="Rgba32"/>, the type the callers already hold their pictures in.
/// </summary>
public sealed class DrawingCanvas : IDisposable
{
    private readonly SKBitmap _bitmap;
    private readonly SKCanvas _canvas;

    /// <exception cref="ArgumentOutOfRangeException">A side is under one pixel.</exception>
    public DrawingCanvas(int width, int height, Rgba32 background)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        _bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        _canvas = new SKCanvas(_bitmap);
        _canvas.Clear(ToSk(background));
    }

    public int Width => _bitmap.Width;

    public int Height => _bitmap.Height;

    /// <summary>The advance width of <paramref name="text"/> at <paramref name="size"/> pixels per em.</summary>
    public static float MeasureText(string text, float size, bool bold = false)
    {
        using var font = Font(size, bold);
        return font.MeasureText(text);
    }

    /// <summary>The distance between the tops of two consecutive lines at <paramref name="size"/>, whole pixels.</summary>
    public static int LineHeight(float size)
    {
        using var font = Font(size, bold: false);
        return (int)Math.Ceiling(font.Spacing);
    }

    /// <summary>
    /// Word-wraps <paramref name="text"/> into at most <paramref name="maxLines"/> lines no wider than
    /// <paramref name="maxWidth"/> pixels; a word wider than a line is broken, and a cut is marked by the last line
    /// ending in an ellipsis. Line breaks and other white space in the text count as single spaces.
    /// </summary>
    public static IReadOnlyList<string> WrapLines(string text, float size, float maxWidth, int maxLines, bool bold = false)
    {
        if (maxLines < 1 || maxWidth <= 0) return [];
        using var font = Font(size, bold);
        bool Fits(string s) => font.MeasureText(s) <= maxWidth;
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                var candidate = line.Length == 0 ? rest : line + " " + rest;
                if (Fits(candidate))
                {
                    line = candidate;
                    rest = "";
                }
                else if (line.Length > 0)
                {
                    lines.Add(line);
                    line = "";
                }
                else
                {
                    int take = Math.Max(1, LongestFittingPrefix(rest, Fits));
                    lines.Add(rest[..take]);
                    rest = rest[take..];
                }
            }
        }
        if (line.Length > 0) lines.Add(line);
        if (lines.Count <= maxLines) return lines;
        var kept = lines.Take(maxLines).ToList();
        kept[^1] = Ellipsize(kept[^1], Fits);
        return kept;
    }

    /// <summary><paramref name="text"/> if it fits in <paramref name="maxWidth"/> pixels, else its longest prefix that fits with an ellipsis after it.</summary>
    public static string Fit(string text, float size, float maxWidth, bool bold = false)
    {
        using var font = Font(size, bold);
        bool Fits(string s) => font.MeasureText(s) <= maxWidth;
        return Fits(text) ? text : Ellipsize(text, Fits);
    }

    public void Fill(int left, int top, int width, int height, Rgba32 color)
    {
        if (width <= 0 || height <= 0) return;
        using var paint = new SKPaint { Color = ToSk(color), Style = SKPaintStyle.Fill, IsAntialias = false };
        _canvas.DrawRect(SKRect.Create(left, top, width, height), paint);
    }

    /// <summary>A frame <paramref name="thickness"/> pixels wide just inside the given rectangle.</summary>
    public void Outline(int left, int top, int width, int height, Rgba32 color, int thickness = 1)
    {
        Fill(left, top, width, thickness, color);
        Fill(left, top + height - thickness, width, thickness, color);
        Fill(left, top, thickness, height, color);
        Fill(left + width - thickness, top, thickness, height, color);
    }

    /// <summary>Draws one line of <paramref name="text"/> with the top of its line box at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public void Text(string text, float x, float y, float size, Rgba32 color, bool bold = false)
    {
        using var font = Font(size, bold);
        using var paint = new SKPaint { Color = ToSk(color), IsAntialias = true };
        _canvas.DrawText(text, x, y - font.Metrics.Ascent, SKTextAlign.Left, font, paint);
    }

    public void TextCentered(string text, float centreX, float y, float size, Rgba32 color, bool bold = false) =>
        Text(text, centreX - MeasureText(text, size, bold) / 2, y, size, color, bold);

    public void TextRight(string text, float right, float y, float size, Rgba32 color, bool bold = false) =>
        Text(text, right - MeasureText(text, size, bold), y, size, color, bold);

    /// <summary>Copies <paramref name="image"/> unscaled with its top-left corner at (<paramref name="left"/>, <paramref name="top"/>), blending by its alpha.</summary>
    public void DrawImage(Image<Rgba32> image, int left, int top)
    {
        var pixels = new Rgba32[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var picture = SKImage.FromPixelCopy(info, MemoryMarshal.AsBytes(pixels.AsSpan()), info.RowBytes);
        _canvas.DrawImage(picture, left, top);
    }

    /// <summary>The pixel at (x, y), for tests and checks that read a drawing back.</summary>
    public Rgba32 PixelAt(int x, int y)
    {
        _canvas.Flush();
        var c = _bitmap.GetPixel(x, y);
        return new Rgba32(c.Red, c.Green, c.Blue, c.Alpha);
    }

    /// <summary>The canvas as PNG bytes.</summary>
    public byte[] ToPng()
    {
        _canvas.Flush();
        using var image = SKImage.FromBitmap(_bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public void Dispose()
    {
        _canvas.Dispose();
        _bitmap.Dispose();
    }

    internal static SKFont Font(float size, bool bold) =>
        new(DrawingFonts.Face(bold), size) { Edging = SKFontEdging.Antialias, Subpixel = true, Hinting = SKFontHinting.Slight };

    private static SKColor ToSk(Rgba32 c) => new(c.R, c.G, c.B, c.A);

    private static int LongestFittingPrefix(string word, Func<string, bool> fits)
    {
        int n = 0;
        while (n < word.Length && fits(word[..(n + 1)])) n++;
        return n;
    }

    private static string Ellipsize(string text, Func<string, bool> fits)
    {
        const string ellipsis = "\u2026";
        for (int n = text.Length; n >= 0; n--)
        {
            var candidate = text[..n].TrimEnd() + ellipsis;
            if (fits(candidate)) return candidate;
        }
        return ellipsis;
    }
}
