using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Sheets;

namespace SafeDiffusion.Images.Plots;

/// <summary>
/// A line chart drawn straight onto a pixel buffer and saved as PNG: a title, then panels stacked vertically that
/// share the x axis, each with its own y range, grid lines at round tick values, tick labels and a legend, all lettered
/// with <see cref="BitmapFont5x7"/>. Made for training curves (loss per step), where a dependency on a plotting
/// library would be more than the job needs.
/// </summary>
public static class LineChart
{
    private const int Scale = 2;
    private const int Margin = 12;
    private const int LeftAxis = 110;
    private const int BottomAxis = 40;
    private static readonly ChartColor Background = new(255, 255, 255);
    private static readonly ChartColor Ink = new(30, 30, 30);
    private static readonly ChartColor Grid = new(225, 225, 225);

    /// <summary>Renders the chart as PNG bytes.</summary>
    public static byte[] RenderPng(string title, string xLabel, IReadOnlyList<ChartPanel> panels, int width = 900, int panelHeight = 240)
    {
        var canvas = Render(title, xLabel, panels, width, panelHeight);
        return PngCodec.Encode(canvas);
    }

    /// <summary>Renders the chart as pixels.</summary>
    public static Rgb8Image Render(string title, string xLabel, IReadOnlyList<ChartPanel> panels, int width = 900, int panelHeight = 240)
    {
        if (panels.Count == 0) throw new ArgumentException("a chart needs at least one panel.", nameof(panels));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, LeftAxis + 2 * Margin + 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelHeight, BottomAxis + 60);
        int titleHeight = BitmapFont5x7.LineHeight * Scale + Margin;
        int height = Margin + titleHeight + panels.Count * panelHeight + Margin;
        var canvas = new Canvas(width, height);
        canvas.Fill(Background);
        canvas.Text(title, Margin, Margin, Ink);

        var allX = panels.SelectMany(p => p.Series).SelectMany(s => s.FinitePoints).Select(p => p.X).ToList();
        var (xLow, xHigh, xTicks) = AxisTicks.For(allX.Count > 0 ? allX.Min() : 0, allX.Count > 0 ? allX.Max() : 1);
        for (int i = 0; i < panels.Count; i++)
        {
            int top = Margin + titleHeight + i * panelHeight;
            var area = new Area(LeftAxis, top + Margin, width - Margin, top + panelHeight - BottomAxis);
            DrawPanel(canvas, panels[i], area, xLow, xHigh, xTicks, xLabel);
        }
        return canvas.ToImage();
    }

    private static void DrawPanel(Canvas canvas, ChartPanel panel, Area area, double xLow, double xHigh, IReadOnlyList<double> xTicks, string xLabel)
    {
        var ys = panel.Series.SelectMany(s => s.FinitePoints).Select(p => p.Y).ToList();
        var (yLow, yHigh, yTicks) = AxisTicks.For(ys.Count > 0 ? ys.Min() : 0, ys.Count > 0 ? ys.Max() : 1, target: 4);
        int Px(double x) => area.Left + (int)Math.Round((x - xLow) / (xHigh - xLow) * (area.Right - area.Left));
        int Py(double y) => area.Bottom - (int)Math.Round((y - yLow) / (yHigh - yLow) * (area.Bottom - area.Top));

        int glyph = BitmapFont5x7.GlyphHeight * Scale;
        foreach (var y in yTicks)
        {
            int py = Py(y);
            canvas.Line(area.Left, py, area.Right, py, Grid);
            var label = AxisTicks.Label(y);
            canvas.Text(label, area.Left - 8 - BitmapFont5x7.MeasureWidth(label.Length, Scale), py - glyph / 2, Ink);
        }
        foreach (var x in xTicks)
        {
            int px = Px(x);
            canvas.Line(px, area.Top, px, area.Bottom, Grid);
            var label = AxisTicks.Label(x);
            canvas.Text(label, px - BitmapFont5x7.MeasureWidth(label.Length, Scale) / 2, area.Bottom + 6, Ink);
        }
        canvas.Line(area.Left, area.Top, area.Left, area.Bottom, Ink);
        canvas.Line(area.Left, area.Bottom, area.Right, area.Bottom, Ink);
        canvas.Text(xLabel, area.Right - BitmapFont5x7.MeasureWidth(xLabel.Length, Scale), area.Bottom + 8 + glyph, Ink);
        canvas.Text(panel.Title, area.Left + 8, area.Top + 4, Ink);

        foreach (var series in panel.Series)
        {
            (int X, int Y)? previous = null;
            foreach (var (x, y) in series.FinitePoints)
            {
                var point = (Px(x), Py(y));
                if (previous is { } p) canvas.ThickLine(p.X, p.Y, point.Item1, point.Item2, series.Color);
                else canvas.ThickLine(point.Item1, point.Item2, point.Item1, point.Item2, series.Color);
                previous = point;
            }
        }
        // Legend: a colour swatch and the name of each series, right-aligned along the panel's top.
        int right = area.Right - 8;
        for (int i = panel.Series.Count - 1; i >= 0; i--)
        {
            var s = panel.Series[i];
            int textWidth = BitmapFont5x7.MeasureWidth(s.Name.Length, Scale);
            canvas.Text(s.Name, right - textWidth, area.Top + 4, Ink);
            canvas.Box(right - textWidth - 22, area.Top + 6, 14, glyph - 4, s.Color);
            right -= textWidth + 40;
        }
    }

    private readonly record struct Area(int Left, int Top, int Right, int Bottom);

    /// <summary>An RGB8 pixel buffer with clipped drawing primitives.</summary>
    private sealed class Canvas(int width, int height)
    {
        private readonly byte[] _pixels = new byte[width * height * 3];

        public void Fill(ChartColor c)
        {
            for (int i = 0; i < width * height; i++) Set(i % width, i / width, c);
        }

        public void Set(int x, int y, ChartColor c)
        {
            if ((uint)x >= (uint)width || (uint)y >= (uint)height) return;
            int i = (y * width + x) * 3;
            _pixels[i] = c.R;
            _pixels[i + 1] = c.G;
            _pixels[i + 2] = c.B;
        }

        /// <summary>Bresenham's line between two pixels, both included.</summary>
        public void Line(int x0, int y0, int x1, int y1, ChartColor c)
        {
            int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
            int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
            int error = dx + dy;
            while (true)
            {
                Set(x0, y0, c);
                if (x0 == x1 && y0 == y1) return;
                int e2 = 2 * error;
                if (e2 >= dy) { error += dy; x0 += sx; }
                if (e2 <= dx) { error += dx; y0 += sy; }
            }
        }

        public void ThickLine(int x0, int y0, int x1, int y1, ChartColor c)
        {
            Line(x0, y0, x1, y1, c);
            Line(x0 + 1, y0, x1 + 1, y1, c);
            Line(x0, y0 + 1, x1, y1 + 1, c);
        }

        public void Box(int left, int top, int w, int h, ChartColor c)
        {
            for (int y = top; y < top + h; y++)
            for (int x = left; x < left + w; x++)
                Set(x, y, c);
        }

        public void Text(string text, int left, int top, ChartColor c) =>
            BitmapFont5x7.Draw(text, left, top, Scale, (x, y) => Set(x, y, c));

        public Rgb8Image ToImage() => new(_pixels, width, height);
    }
}
