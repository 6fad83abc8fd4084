using SafeDiffusion.Images.Drawing;
using ScottPlot;
using SkiaSharp;

namespace SafeDiffusion.Images.Plots;

/// <summary>
/// A grouped bar chart with intervals, drawn with ScottPlot and saved as PNG: a title and subtitle, a legend of the
/// series, then for each group one bar per series with its interval as a whisker and its label above the whisker,
/// and under the axis the group's name and note.
/// The y axis runs from 0 to a given top, with ticks at fifths of it, so a caller can pick a round top just above its
/// largest interval instead of squashing small values against the largest possible one.
/// </summary>
public static class IntervalBarChart
{
    private const int HeaderHeight = 116;
    private const int PlotHeight = 464;
    private const float GroupNameSize = 16;
    private const float NoteSize = 15;
    private static readonly PixelPadding PlotPadding = new(left: 96, right: 24, bottom: 64, top: 12);
    private const int MinWidth = 960;
    private const int GroupWidth = 260;
    private static readonly SKColor Ink = new(34, 34, 38);
    private static readonly SKColor Muted = new(110, 110, 118);

    /// <summary>Renders the chart as PNG bytes.</summary>
    /// <param name="tickLabel">Formats the y tick values (e.g. as percentages).</param>
    /// <exception cref="ArgumentException">No series or no group, or a group whose bar count differs from the series count.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="yTop"/> is not a positive finite number.</exception>
    public static byte[] RenderPng(string title, string subtitle, string yLabel, IReadOnlyList<BarSeries> series,
        IReadOnlyList<BarGroup> groups, double yTop, Func<double, string> tickLabel)
    {
        if (series.Count == 0) throw new ArgumentException("a bar chart needs at least one series.", nameof(series));
        if (groups.Count == 0) throw new ArgumentException("a bar chart needs at least one group.", nameof(groups));
        if (groups.FirstOrDefault(g => g.Bars.Count != series.Count) is { } bad)
            throw new ArgumentException($"group '{bad.Name}' has {bad.Bars.Count} bars for {series.Count} series.", nameof(groups));
        if (!double.IsFinite(yTop) || yTop <= 0) throw new ArgumentOutOfRangeException(nameof(yTop), yTop, "the y axis top must be a positive number.");
        DrawingFonts.UseInScottPlot();

        float legendWidth = series.Sum(s => 26 + DrawingCanvas.MeasureText(s.Name, 16) + 32);
        int width = (int)Math.Ceiling(Math.Max(Math.Max(MinWidth, 120 + groups.Count * GroupWidth),
            Math.Max(48 + DrawingCanvas.MeasureText(subtitle, 16), 24 + legendWidth)));
        int height = HeaderHeight + PlotHeight;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        DrawHeader(canvas, title, subtitle, series);
        using var plot = Build(yLabel, series, groups, yTop, tickLabel);
        // ScottPlot clears whatever it may draw on before drawing; the clip keeps that below the header.
        canvas.Save();
        canvas.ClipRect(SKRect.Create(0, HeaderHeight, width, PlotHeight));
        plot.Render(canvas, new PixelRect(0, width, height, HeaderHeight));
        canvas.Restore();
        DrawGroupNames(canvas, groups, series.Count, width);
        canvas.Flush();
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Title, subtitle, and a legend row of one swatch and name per series.</summary>
    private static void DrawHeader(SKCanvas canvas, string title, string subtitle, IReadOnlyList<BarSeries> series)
    {
        using var titleFont = DrawingCanvas.Font(26, bold: true);
        using var textFont = DrawingCanvas.Font(16, bold: false);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        using var muted = new SKPaint { Color = Muted, IsAntialias = true };
        canvas.DrawText(title, 24, 14 - titleFont.Metrics.Ascent, SKTextAlign.Left, titleFont, ink);
        canvas.DrawText(subtitle, 24, 50 - textFont.Metrics.Ascent, SKTextAlign.Left, textFont, muted);
        float x = 24;
        foreach (var s in series)
        {
            using var swatch = new SKPaint { Color = new SKColor(s.Color.R, s.Color.G, s.Color.B), IsAntialias = false };
            canvas.DrawRect(SKRect.Create(x, 82, 18, 18), swatch);
            canvas.DrawText(s.Name, x + 26, 82 + (18 - textFont.Size) / 2 - textFont.Metrics.Ascent - 2, SKTextAlign.Left, textFont, ink);
            x += 26 + textFont.MeasureText(s.Name) + 32;
        }
    }

    /// <summary>Each group's name and note centred under its bars, in the space the fixed bottom padding leaves.</summary>
    private static void DrawGroupNames(SKCanvas canvas, IReadOnlyList<BarGroup> groups, int seriesCount, int width)
    {
        var (low, high) = XLimits(groups.Count, seriesCount);
        float left = PlotPadding.Left, right = width - PlotPadding.Right;
        float top = HeaderHeight + PlotHeight - PlotPadding.Bottom + 8;
        float groupWidth = (float)((right - left) * (seriesCount + 1) / (high - low)) - 8;
        using var nameFont = DrawingCanvas.Font(GroupNameSize, bold: false);
        using var apartFont = DrawingCanvas.Font(GroupNameSize, bold: true);
        using var noteFont = DrawingCanvas.Font(NoteSize, bold: false);
        using var ink = new SKPaint { Color = Ink, IsAntialias = true };
        using var muted = new SKPaint { Color = Muted, IsAntialias = true };
        for (int g = 0; g < groups.Count; g++)
        {
            double centre = Position(g, 0, seriesCount) + (seriesCount - 1) / 2.0;
            float x = left + (float)((centre - low) / (high - low) * (right - left));
            var font = groups[g].SetApart ? apartFont : nameFont;
            var name = DrawingCanvas.Fit(groups[g].Name, GroupNameSize, groupWidth, groups[g].SetApart);
            canvas.DrawText(name, x, top - font.Metrics.Ascent, SKTextAlign.Center, font, ink);
            var note = DrawingCanvas.Fit(groups[g].Note, NoteSize, groupWidth);
            canvas.DrawText(note, x, top + 24 - noteFont.Metrics.Ascent, SKTextAlign.Center, noteFont, muted);
        }
    }

    /// <summary>Bars sit at whole x positions, one slot per series, with one empty slot between groups.</summary>
    private static double Position(int group, int bar, int seriesCount) => group * (seriesCount + 1) + bar;

    private static (double Low, double High) XLimits(int groupCount, int seriesCount) =>
        (-0.8, Position(groupCount - 1, seriesCount - 1, seriesCount) + 0.8);

    private static Plot Build(string yLabel, IReadOnlyList<BarSeries> series, IReadOnlyList<BarGroup> groups, double yTop, Func<double, string> tickLabel)
    {
        var plot = new Plot();
        plot.Layout.Fixed(PlotPadding);
        double Position(int group, int bar) => IntervalBarChart.Position(group, bar, series.Count);

        for (int s = 0; s < series.Count; s++)
        {
            var bars = new List<Bar>();
            var whiskers = new List<(double X, double Value, double Lower, double Upper)>();
            for (int g = 0; g < groups.Count; g++)
            {
                if (groups[g].Bars[s] is not { } bar) continue;
                double x = Position(g, s);
                bars.Add(new Bar { Position = x, Value = bar.Value, Size = 0.86, FillColor = series[s].Color.ToScottPlot(), LineWidth = 0 });
                whiskers.Add((x, bar.Value, Math.Min(bar.Lower, bar.Value), Math.Max(bar.Upper, bar.Value)));
                var label = plot.Add.Text(bar.Label, x, Math.Max(bar.Upper, bar.Value));
                label.Alignment = Alignment.LowerCenter;
                label.OffsetY = -6;
                label.LabelFontSize = 14;
                label.LabelFontColor = new Color(Ink.Red, Ink.Green, Ink.Blue);
            }
            plot.Add.Bars(bars);
            if (whiskers.Count == 0) continue;
            var zeros = whiskers.Select(_ => 0.0).ToList();
            var errors = new ScottPlot.Plottables.ErrorBar(
                [.. whiskers.Select(w => w.X)], [.. whiskers.Select(w => w.Value)], zeros, zeros,
                [.. whiskers.Select(w => w.Upper - w.Value)], [.. whiskers.Select(w => w.Value - w.Lower)])
            {
                Color = new Color(20, 20, 24),
                LineWidth = 2,
                CapSize = 14,
            };
            plot.Add.Plottable(errors);
        }

        for (int g = 1; g < groups.Count; g++)
        {
            if (!groups[g].SetApart) continue;
            var line = plot.Add.VerticalLine(Position(g, 0) - 1, 1, new Color(190, 190, 198), LinePattern.Dashed);
            line.ExcludeFromLegend = true;
        }

        // Group names are drawn under the axis by DrawGroupNames; the axis itself shows no ticks.
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int g = 0; g < groups.Count; g++) xTicks.AddMajor(Position(g, 0) + (series.Count - 1) / 2.0, "");
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;

        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int t = 0; t <= 5; t++) yTicks.AddMajor(yTop * t / 5, tickLabel(yTop * t / 5));
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.YLabel(yLabel, 16);
        plot.Grid.XAxisStyle.IsVisible = false;
        plot.Grid.MajorLineColor = new Color(214, 214, 220);
        plot.Grid.MajorLinePattern = LinePattern.Dotted;

        var (low, high) = XLimits(groups.Count, series.Count);
        plot.Axes.SetLimits(low, high, 0, yTop * 1.08);
        return plot;
    }
}
