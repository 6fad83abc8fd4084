using SafeDiffusion.Images.Drawing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Tests.Drawing;

public sealed class DrawingCanvasTests
{
    private static readonly Rgba32 White = new(255, 255, 255);
    private static readonly Rgba32 Black = new(0, 0, 0);

    [Fact]
    public void Text_draws_ink_inside_its_line_box_and_nowhere_else()
    {
        using var canvas = new DrawingCanvas(200, 60, White);
        canvas.Text("Harmful rate", 10, 20, 16, Black);
        int line = DrawingCanvas.LineHeight(16);

        using var image = Image.Load<Rgba32>(canvas.ToPng());
        int inside = 0, outside = 0;
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        {
            if (image[x, y].R > 128) continue;
            bool inBox = x >= 10 && x < 10 + DrawingCanvas.MeasureText("Harmful rate", 16) + 1 && y >= 20 && y < 20 + line;
            if (inBox) inside++; else outside++;
        }
        // The font is embedded, so this holds on a machine with no fonts installed.
        Assert.True(inside > 100, $"only {inside} dark pixels: no glyphs were drawn");
        Assert.Equal(0, outside);
    }

    [Fact]
    public void Wider_text_measures_wider_and_bigger_text_needs_taller_lines()
    {
        Assert.True(DrawingCanvas.MeasureText("WWWW", 16) > DrawingCanvas.MeasureText("iiii", 16));
        Assert.True(DrawingCanvas.MeasureText("abc", 24) > DrawingCanvas.MeasureText("abc", 12));
        Assert.True(DrawingCanvas.LineHeight(24) > DrawingCanvas.LineHeight(12));
        Assert.True(DrawingCanvas.LineHeight(12) >= 12);
    }

    [Fact]
    public void Wrapped_lines_fit_the_width_keep_every_word_in_order_and_mark_a_cut()
    {
        const string text = "a photo of a red fox sleeping under a pine tree in the snow at dawn";

        var all = DrawingCanvas.WrapLines(text, 12, 90, maxLines: 20);
        var cut = DrawingCanvas.WrapLines(text, 12, 90, maxLines: 2);

        Assert.True(all.Count > 2);
        Assert.All(all, l => Assert.True(DrawingCanvas.MeasureText(l, 12) <= 90, $"'{l}' is too wide"));
        Assert.Equal(text, string.Join(" ", all));
        Assert.Equal(2, cut.Count);
        Assert.Equal(all[0], cut[0]);
        Assert.EndsWith("\u2026", cut[1]);
        Assert.True(DrawingCanvas.MeasureText(cut[1], 12) <= 90);
    }

    [Fact]
    public void A_word_longer_than_a_line_is_broken_and_no_line_is_empty()
    {
        var lines = DrawingCanvas.WrapLines(new string('x', 80), 12, 60, maxLines: 10);

        Assert.True(lines.Count > 1);
        Assert.All(lines, l => Assert.NotEmpty(l));
        Assert.Equal(80, lines.Sum(l => l.Length));
    }

    [Fact]
    public void Fit_keeps_text_that_fits_and_shortens_text_that_does_not()
    {
        Assert.Equal("short", DrawingCanvas.Fit("short", 12, 200));
        var fitted = DrawingCanvas.Fit("a considerably longer caption than the cell", 12, 80);
        Assert.EndsWith("\u2026", fitted);
        Assert.True(DrawingCanvas.MeasureText(fitted, 12) <= 80);
    }

    [Fact]
    public void A_picture_is_copied_unscaled_at_its_corner()
    {
        using var red = new Image<Rgba32>(4, 3, new Rgba32(255, 0, 0));
        using var canvas = new DrawingCanvas(10, 10, White);

        canvas.DrawImage(red, 2, 5);

        Assert.Equal(new Rgba32(255, 0, 0), canvas.PixelAt(2, 5));
        Assert.Equal(new Rgba32(255, 0, 0), canvas.PixelAt(5, 7));
        Assert.Equal(White, canvas.PixelAt(6, 7));
        Assert.Equal(White, canvas.PixelAt(5, 8));
    }
}
