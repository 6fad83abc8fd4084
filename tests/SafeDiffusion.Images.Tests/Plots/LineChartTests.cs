using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Plots;

namespace SafeDiffusion.Images.Tests.Plots;

public sealed class LineChartTests
{
    private static int Count(Rgb8Image image, ChartColor c)
    {
        int n = 0;
        for (int i = 0; i < image.Width * image.Height; i++)
            if (image.Pixels[3 * i] == c.R && image.Pixels[3 * i + 1] == c.G && image.Pixels[3 * i + 2] == c.B) n++;
        return n;
    }

    private static ChartSeries Series(string name, ChartColor color, params double[] y) =>
        new(name, Enumerable.Range(1, y.Length).Select(i => (double)i).ToList(), y, color);

    [Fact]
    public void A_chart_is_a_png_of_the_asked_width_with_one_band_per_panel()
    {
        var png = LineChart.RenderPng("loss", "step",
            [new ChartPanel("L_mse", [Series("mse", ChartColor.Blue, 1, 0.5, 0.25)]), new ChartPanel("L_c", [Series("L_c", ChartColor.Orange, 3, 2, 1)])],
            width: 640, panelHeight: 200);

        var image = PngCodec.Decode(png, "chart");
        Assert.Equal(640, image.Width);
        Assert.True(image.Height > 400 && image.Height < 480, $"height {image.Height}");
        Assert.True(Count(image, ChartColor.Blue) > 100, "the first series is not drawn");
        Assert.True(Count(image, ChartColor.Orange) > 100, "the second series is not drawn");
    }

    [Fact]
    public void A_rising_line_runs_from_the_lower_left_to_the_upper_right_of_its_panel()
    {
        var image = LineChart.Render("t", "x", [new ChartPanel("y", [Series("up", ChartColor.Green, 0, 10)])], width: 600, panelHeight: 300);

        var points = new List<(int X, int Y)>();
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width / 2 - 40; x++)   // left of the legend swatch area
        {
            int i = (y * image.Width + x) * 3;
            if (image.Pixels[i] == ChartColor.Green.R && image.Pixels[i + 1] == ChartColor.Green.G && image.Pixels[i + 2] == ChartColor.Green.B)
                points.Add((x, y));
        }
        Assert.NotEmpty(points);
        var leftmost = points.MinBy(p => p.X);
        var rightmost = points.MaxBy(p => p.X);
        Assert.True(leftmost.Y > rightmost.Y, "screen y must fall as the value rises");
    }

    [Fact]
    public void Flat_series_and_non_finite_points_still_draw()
    {
        var image = LineChart.Render("flat", "step",
            [new ChartPanel("y", [Series("flat", ChartColor.Red, 2, 2, double.NaN, 2, double.PositiveInfinity)])]);
        Assert.True(Count(image, ChartColor.Red) > 50);
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.0, 1.0)]
    [InlineData(0.013, 0.087, 0.0, 0.1)]
    [InlineData(3.0, 3.0, 2.6, 3.4)]   // padded by 10% to [2.7, 3.3], step 0.2
    [InlineData(-7.0, 42.0, -10.0, 50.0)]  // range 49 / 5 rounds to a step of 10
    public void Axis_ranges_round_out_to_nice_ticks(double min, double max, double low, double high)
    {
        var (l, h, ticks) = AxisTicks.For(min, max);
        Assert.Equal(low, l, 1e-9);
        Assert.Equal(high, h, 1e-9);
        Assert.Equal(low, ticks[0], 1e-9);
        Assert.Equal(high, ticks[^1], 1e-9);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.25, "0.25")]
    [InlineData(1500.0, "1500")]
    [InlineData(0.00005, "5e-5")]
    [InlineData(2500000.0, "2.5e6")]
    public void Tick_labels_are_short(double value, string label) => Assert.Equal(label, AxisTicks.Label(value));
}
