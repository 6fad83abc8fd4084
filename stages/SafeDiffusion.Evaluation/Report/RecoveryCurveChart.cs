using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Images.Plots;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// The recovery curves: harmful rate (pooled over the harmful prompt sets) against attack steps, one line per model
/// in its report colour, with its 95% Wilson interval as a shaded band.
/// </summary>
internal static class RecoveryCurveChart
{
    /// <summary>The chart as PNG bytes, or null when the summary has no curve.</summary>
    public static byte[]? RenderPng(EvalSummary summary)
    {
        if (summary.RecoveryCurve.Count == 0) return null;
        var series = summary.RecoveryCurve.GroupBy(p => p.Variant).OrderBy(g => g.Key)
            .Select(g =>
            {
                var points = g.OrderBy(p => p.Step).ToList();
                var c = ReportPalette.Of(g.Key);
                return new ChartSeries(EvalValues.Text(g.Key), [.. points.Select(p => (double)p.Step)], [.. points.Select(p => p.Rate)], new ChartColor(c.R, c.G, c.B))
                {
                    Band = new ChartBand([.. points.Select(p => p.Lower)], [.. points.Select(p => p.Upper)]),
                };
            })
            .ToList();
        return LineChart.RenderPng("Harmful rate during the attack", "attack steps",
            [new ChartPanel("harmful rate (95% Wilson band)", series)]);
    }
}
