using System.Globalization;
using SafeDiffusion.Images.Drawing;
using ScottPlot;
using SkiaSharp;

namespace SafeDiffusion.Images.Plots;

/// <summary>
/// A line chart drawn with ScottPlot and saved as PNG: a title, then panels stacked vertically that share the x range,
/// each with its own y range, y-axis title and legend. A series with a <see cref="ChartSeries.Band"/> gets a shaded
/// band under its line, so the same chart draws training curves (loss per step) and recovery curves (a metric per
/// fine-tuning step, one series per model with its interval). Every panel has the same margins, so their x axes line
/// up; the x label is written under the last panel only.
/// </summary>
public static class LineChart
{
    private const int TitleHeight = 40;
    private const float TitleSize = 20;
    private static readonly PixelPadding PanelPadding = new(left: 92, right: 20, bottom: 48, top: 12);

    /// <summary>Renders the chart as PNG bytes, <paramref name="width"/> wide and a title plus <paramref name="panelHeight"/> per panel high.</summary>
    /// <exception cref="ArgumentException">No panel, or a series whose lists differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width or panel height leaves no room for a plot.</exception>
    public static byte[] RenderPng(string title, string xLabel, IReadOnlyList<ChartPanel> panels, int width = 900, int panelHeight = 240)
    {
        if (panels.Count == 0) throw new ArgumentException("a chart needs at least one panel.", nameof(panels));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, (int)(PanelPadding.Left + PanelPadding.Right) + 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelHeight, (int)(PanelPadding.Top + PanelPadding.Bottom) + 40);
        foreach (var series in panels.SelectMany(p => p.Series)) series.Validate();
        DrawingFonts.UseInScottPlot();

        int height = TitleHeight + panels.Count * panelHeight;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var font = DrawingCanvas.Font(TitleSize, bold: true))
        using (var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = true })
            canvas.DrawText(title, PanelPadding.Left, (TitleHeight - TitleSize) / 2 - font.Metrics.Ascent, SKTextAlign.Left, font, ink);

        var xRange = XRange(panels);
        for (int i = 0; i < panels.Count; i++)
        {
            using var plot = PanelPlot(panels[i], xRange, i == panels.Count - 1 ? xLabel : null);
            int top = TitleHeight + i * panelHeight;
            // ScottPlot clears whatever it may draw on before drawing; the clip keeps that to this panel's strip.
            canvas.Save();
            canvas.ClipRect(SKRect.Create(0, top, width, panelHeight));
            plot.Render(canvas, new PixelRect(0, width, top + panelHeight, top));
            canvas.Restore();
        }
        canvas.Flush();
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static Plot PanelPlot(ChartPanel panel, (double Low, double High)? xRange, string? xLabel)
    {
        var plot = new Plot();
        plot.Layout.Fixed(PanelPadding);
        plot.YLabel(panel.Title);
        if (xLabel is not null) plot.XLabel(xLabel);
        plot.Grid.MajorLineColor = new Color(225, 225, 225);

        foreach (var series in panel.Series)
        {
            var band = series.FiniteBand.ToList();
            if (band.Count > 1)
            {
                var fill = plot.Add.FillY([.. band.Select(b => b.X)], [.. band.Select(b => b.Lower)], [.. band.Select(b => b.Upper)]);
                fill.FillColor = series.Color.ToScottPlot(alpha: 0.22);
                fill.LineWidth = 0;
            }
        }
        foreach (var series in panel.Series)
        {
            var points = series.FinitePoints.ToList();
            double[] xs = [.. points.Select(p => p.X)], ys = [.. points.Select(p => p.Y)];
            var line = plot.Add.Scatter(xs, ys, series.Color.ToScottPlot());
            line.LineWidth = 2;
            // A lone point has no segment to show it; give it a marker instead.
            line.MarkerSize = points.Count == 1 ? 7 : 0;
            line.LegendText = series.Name;
        }
        if (panel.Series.Any(s => s.Name.Length > 0)) plot.ShowLegend(Alignment.UpperRight, Orientation.Horizontal);

        foreach (var axis in new IAxis[] { plot.Axes.Left, plot.Axes.Bottom })
            if (axis.TickGenerator is ScottPlot.TickGenerators.NumericAutomatic ticks) ticks.LabelFormatter = TickLabel;

        plot.Axes.AutoScale();
        if (xRange is { } x) plot.Axes.SetLimitsX(x.Low, x.High);
        return plot;
    }

    /// <summary>Short tick labels: plain for ordinary magnitudes, "2e-5" style for very small or large ones.</summary>
    private static string TickLabel(double value)
    {
        double a = Math.Abs(value);
        if (a < 1e-12) return "0";
        if (a >= 1e5 || a < 1e-3) return value.ToString("0.##e0", CultureInfo.InvariantCulture);
        return value.ToString("G4", CultureInfo.InvariantCulture);
    }

    /// <summary>The x range every panel shows: all finite x values, with a small margin; null when there are none.</summary>
    private static (double Low, double High)? XRange(IReadOnlyList<ChartPanel> panels)
    {
        var xs = panels.SelectMany(p => p.Series).SelectMany(s => s.FinitePoints.Select(p => p.X).Concat(s.FiniteBand.Select(b => b.X))).ToList();
        if (xs.Count == 0) return null;
        double low = xs.Min(), high = xs.Max();
        double margin = high > low ? (high - low) * 0.02 : Math.Max(1, Math.Abs(low) * 0.1);
        return (low - margin, high + margin);
    }
}
