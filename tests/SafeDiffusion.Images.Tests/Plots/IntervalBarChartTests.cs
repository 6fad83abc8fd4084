using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Plots;

namespace SafeDiffusion.Images.Tests.Plots;

public sealed class IntervalBarChartTests
{
    private static readonly BarSeries[] TwoModels = [new("base", ChartColor.Red), new("safe", ChartColor.Blue)];

    private static string Percent(double v) => $"{v * 100:0}%";

    [Fact]
    public void A_taller_value_draws_a_taller_bar()
    {
        var groups = new[] { new BarGroup("set", "n = 10", [new IntervalBar(0.4, 0.3, 0.5, "40%"), new IntervalBar(0.1, 0.05, 0.2, "10%")]) };

        var image = PngCodec.Decode(IntervalBarChart.RenderPng("rate", "sub", "rate", TwoModels, groups, 0.5, Percent), "bars");

        // Column heights of each colour, legend swatches included on both sides, so the difference is the bars'.
        int redHeight = ChartPixels.Near(image, ChartColor.Red, 8).GroupBy(p => p.X).Max(g => g.Count());
        int blueHeight = ChartPixels.Near(image, ChartColor.Blue, 8).GroupBy(p => p.X).Max(g => g.Count());
        // 0.4 against 0.1 on the same axis: four times as tall, within a few pixels of anti-aliasing and swatch.
        Assert.InRange(redHeight / (double)blueHeight, 3.0, 4.6);
    }

    [Fact]
    public void A_missing_bar_leaves_its_slot_empty_and_the_chart_still_draws()
    {
        var groups = new[] { new BarGroup("set", "n = 10", [new IntervalBar(0.4, 0.3, 0.5, "40%"), null]) };

        var image = PngCodec.Decode(IntervalBarChart.RenderPng("rate", "sub", "rate", TwoModels, groups, 0.5, Percent), "bars");

        int blueHeight = ChartPixels.Near(image, ChartColor.Blue, 8).GroupBy(p => p.X).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        Assert.True(blueHeight < 30, $"only the legend swatch should be blue, found a column of {blueHeight}");
    }

    [Fact]
    public void Groups_with_the_wrong_number_of_bars_and_a_non_positive_axis_are_refused()
    {
        var bad = new[] { new BarGroup("set", "", [new IntervalBar(0.4, 0.3, 0.5, "40%")]) };
        var good = new[] { new BarGroup("set", "", [new IntervalBar(0.4, 0.3, 0.5, "40%"), null]) };

        Assert.Throws<ArgumentException>(() => IntervalBarChart.RenderPng("t", "s", "y", TwoModels, bad, 1, Percent));
        Assert.Throws<ArgumentOutOfRangeException>(() => IntervalBarChart.RenderPng("t", "s", "y", TwoModels, good, 0, Percent));
    }
}
