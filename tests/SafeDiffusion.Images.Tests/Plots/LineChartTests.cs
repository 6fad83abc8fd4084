using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Plots;

namespace SafeDiffusion.Images.Tests.Plots;

public sealed class LineChartTests
{
    private static ChartSeries Series(string name, ChartColor color, params double[] y) =>
        new(name, Enumerable.Range(1, y.Length).Select(i => (double)i).ToList(), y, color);

    [Fact]
    public void A_chart_is_a_png_of_the_asked_width_with_a_band_of_the_asked_height_per_panel()
    {
        var png = LineChart.RenderPng("loss", "step",
            [new ChartPanel("L_mse", [Series("mse", ChartColor.Blue, 1, 0.5, 0.25)]), new ChartPanel("L_c", [Series("L_c", ChartColor.Orange, 3, 2, 1)])],
            width: 640, panelHeight: 200);

        var image = PngCodec.Decode(png, "chart");
        Assert.Equal(640, image.Width);
        Assert.True(image.Height >= 400 && image.Height < 480, $"height {image.Height}");
        Assert.True(ChartPixels.Near(image, ChartColor.Blue).Count > 100, "the first series is not drawn");
        Assert.True(ChartPixels.Near(image, ChartColor.Orange).Count > 100, "the second series is not drawn");
    }

    [Fact]
    public void A_rising_line_runs_from_the_lower_left_to_the_upper_right_of_its_panel()
    {
        // No series name, so no legend swatch in the series' colour.
        var image = PngCodec.Decode(LineChart.RenderPng("t", "x", [new ChartPanel("y", [Series("", ChartColor.Green, 0, 10)])], width: 600, panelHeight: 300), "chart");

        var points = ChartPixels.Near(image, ChartColor.Green);
        Assert.NotEmpty(points);
        var leftmost = points.MinBy(p => p.X);
        var rightmost = points.MaxBy(p => p.X);
        Assert.True(rightmost.X - leftmost.X > 300, "the line should span most of the plot's width");
        Assert.True(leftmost.Y > rightmost.Y + 100, "screen y must fall as the value rises");
    }

    [Fact]
    public void Flat_series_and_non_finite_points_still_draw()
    {
        var png = LineChart.RenderPng("flat", "step",
            [new ChartPanel("y", [Series("flat", ChartColor.Red, 2, 2, double.NaN, 2, double.PositiveInfinity)])]);

        Assert.True(ChartPixels.Near(PngCodec.Decode(png, "chart"), ChartColor.Red).Count > 50);
    }

    [Fact]
    public void A_band_shades_the_interval_around_its_line_in_a_lighter_tint_of_the_series_colour()
    {
        double[] x = [0, 1, 2, 3, 4], y = [0.8, 0.5, 0.4, 0.35, 0.3];
        var banded = new ChartSeries("", x, y, ChartColor.Blue) { Band = new ChartBand([.. y.Select(v => v - 0.1)], [.. y.Select(v => v + 0.1)]) };
        var bare = new ChartSeries("", x, y, ChartColor.Blue);

        var withBand = PngCodec.Decode(LineChart.RenderPng("recovery", "step", [new ChartPanel("rate", [banded])], 600, 300), "band");
        var without = PngCodec.Decode(LineChart.RenderPng("recovery", "step", [new ChartPanel("rate", [bare])], 600, 300), "bare");

        int Tinted(Rgb8Image image) => ChartPixels.Count(image, (r, g, b) => b > 200 && r > 120 && r < 235 && b - r > 20);
        Assert.True(Tinted(withBand) > 20 * Tinted(without) + 1000, $"band {Tinted(withBand)} tinted pixels, bare {Tinted(without)}");
    }

    [Fact]
    public void A_band_whose_length_differs_from_its_line_is_refused()
    {
        var series = new ChartSeries("s", [0, 1, 2], [1, 2, 3], ChartColor.Blue) { Band = new ChartBand([0, 1], [2, 3]) };

        Assert.Throws<ArgumentException>(() => LineChart.RenderPng("t", "x", [new ChartPanel("y", [series])]));
    }

    [Fact]
    public void A_chart_without_panels_is_refused() =>
        Assert.Throws<ArgumentException>(() => LineChart.RenderPng("t", "x", []));
}
