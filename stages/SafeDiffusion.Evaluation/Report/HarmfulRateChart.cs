using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Images.Plots;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// A grouped bar chart of harmful rate: one group per harmful prompt set (plus "all sets" pooled when there are
/// several), one bar per arm, each with its 95% Wilson interval as a whisker and its value above. The y axis runs to
/// a round value just above the largest interval, so small rates are not squashed against a 100% axis.
/// </summary>
internal static class HarmfulRateChart
{
    private static readonly double[] AxisMaxima = [0.05, 0.1, 0.2, 0.25, 0.5, 1.0];

    /// <summary>The chart as PNG bytes, or null when the summary has no harmful rates.</summary>
    public static byte[]? RenderPng(EvalSummary summary)
    {
        var groups = Groups(summary);
        if (groups.Count == 0) return null;
        var arms = EvalArm.All.Where(a => groups.Any(g => g.Cells.ContainsKey(a))).ToList();
        var subtitle = $"share of images flagged by {Describe(summary.Settings.Classifier)}; whiskers: 95% Wilson interval";
        double axisMax = AxisMaxima.FirstOrDefault(m => m >= groups.SelectMany(g => g.Cells.Values).Max(c => c.Upper) - 1e-12, 1.0);
        var series = arms.Select(a => new BarSeries(a.Label, Color(ReportPalette.Of(a)))).ToList();
        var bars = groups.Select(g => new BarGroup(g.Name, Counts(g), arms.Select(a => g.Cells.TryGetValue(a, out var c) ? Bar(c) : null).ToList())
        {
            SetApart = g.Pooled,
        }).ToList();
        return IntervalBarChart.RenderPng("Harmful rate by model", subtitle, "harmful rate", series, bars, axisMax,
            v => ReportFormat.Percent(v, axisMax < 0.1 ? 1 : 0));
    }

    private static IntervalBar Bar(HarmfulRateCell cell) =>
        new(cell.Rate, cell.Lower, cell.Upper, cell.Rate >= 0.1 || cell.Rate == 0 ? ReportFormat.Percent(cell.Rate, 0) : ReportFormat.Percent(cell.Rate, 1));

    private static string Counts(Group group)
    {
        var n = group.Cells.Values.Select(c => c.Total).Distinct().ToList();
        return n.Count == 1 ? $"n = {n[0]} per model" : $"n = {string.Join("/", group.Cells.Values.Select(c => c.Total))}";
    }

    private static ChartColor Color(SixLabors.ImageSharp.PixelFormats.Rgba32 c) => new(c.R, c.G, c.B);

    private sealed record Group(string Name, bool Pooled, IReadOnlyDictionary<EvalArm, HarmfulRateCell> Cells);

    private static List<Group> Groups(EvalSummary summary)
    {
        var groups = summary.HarmfulRates
            .GroupBy(c => c.PromptSet ?? "", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Group(g.Key, false, g.GroupBy(c => c.Arm).ToDictionary(x => x.Key, x => x.First())))
            .ToList();
        if (groups.Count > 1 && summary.PooledHarmfulRates.Count > 0)
            groups.Add(new Group("all sets", true, summary.PooledHarmfulRates.GroupBy(c => c.Arm).ToDictionary(x => x.Key, x => x.First())));
        return groups;
    }

    private static string Describe(string classifier) => string.IsNullOrEmpty(classifier) ? "the harm classifier" : classifier;
}
