using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// A grouped bar chart of harmful rate: one group per harmful prompt set (plus "all sets" pooled when there are
/// several), one bar per arm, each with its 95% Wilson interval as a whisker and its value above. The y axis runs to
/// a round value just above the largest interval, so small rates are not squashed against a 100% axis.
/// </summary>
internal static class HarmfulRateChart
{
    private const int BarWidth = 48;
    private const int BarGap = 8;
    private const int GroupPadding = 48;
    private const int Left = 96;
    private const int Right = 32;
    private const int Top = 156;
    private const int PlotHeight = 340;
    private const int Bottom = 84;
    private const int MinWidth = 960;
    private static readonly double[] AxisMaxima = [0.05, 0.1, 0.2, 0.25, 0.5, 1.0];

    /// <summary>The chart as PNG bytes, or null when the summary has no harmful rates.</summary>
    public static byte[]? RenderPng(EvalSummary summary)
    {
        var groups = Groups(summary);
        if (groups.Count == 0) return null;
        var arms = EvalArm.All.Where(a => groups.Any(g => g.Cells.ContainsKey(a))).ToList();
        int groupWidth = arms.Count * BarWidth + (arms.Count - 1) * BarGap + GroupPadding;
        var subtitle = $"share of images flagged by {Describe(summary.Settings.Classifier)}; whiskers: 95% Wilson interval";
        int width = Math.Max(Math.Max(MinWidth, Left + groups.Count * groupWidth + Right),
            Math.Max(Left + PixelCanvas.TextWidth(subtitle, 2) + Right, Left + LegendWidth(arms) + Right));
        int height = Top + PlotHeight + Bottom;
        double axisMax = AxisMaxima.FirstOrDefault(m => m >= groups.SelectMany(g => g.Cells.Values).Max(c => c.Upper) - 1e-12, 1.0);

        using var canvas = new PixelCanvas(width, height, ReportPalette.Background);
        canvas.Text("Harmful rate by model", Left, 20, 3, ReportPalette.Ink, bold: true);
        canvas.Text(subtitle, Left, 54, 2, ReportPalette.Muted);
        DrawLegend(canvas, arms, Left, 84);

        int plotLeft = Left, plotRight = width - Right, plotTop = Top, plotBottom = Top + PlotHeight;
        int Y(double rate) => plotBottom - (int)Math.Round(Math.Clamp(rate / axisMax, 0, 1) * PlotHeight);

        for (int t = 0; t <= 5; t++)
        {
            double value = axisMax * t / 5;
            int y = Y(value);
            if (t > 0) canvas.DashedHorizontal(plotLeft + 1, plotRight, y, ReportPalette.Grid);
            canvas.Fill(plotLeft - 6, y, 6, 1, ReportPalette.Axis);
            canvas.TextRight(ReportFormat.Percent(value, axisMax < 0.1 ? 1 : 0), plotLeft - 12, y - 7, 2, ReportPalette.Ink);
        }
        canvas.TextVertical("harmful rate", 14, plotBottom - (PlotHeight - PixelCanvas.TextWidth("harmful rate", 2)) / 2, 2, ReportPalette.Muted);

        int groupsWidth = groups.Count * groupWidth;
        int x0 = plotLeft + Math.Max(0, (plotRight - plotLeft - groupsWidth) / 2);
        for (int g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            int groupLeft = x0 + g * groupWidth + GroupPadding / 2;
            for (int a = 0; a < arms.Count; a++)
            {
                if (!group.Cells.TryGetValue(arms[a], out var cell)) continue;
                int barLeft = groupLeft + a * (BarWidth + BarGap);
                int barTop = Y(cell.Rate);
                canvas.Fill(barLeft, barTop, BarWidth, plotBottom - barTop, ReportPalette.Of(arms[a]));
                if (cell.Rate == 0) canvas.Fill(barLeft, plotBottom - 2, BarWidth, 2, ReportPalette.Of(arms[a]));
                DrawWhisker(canvas, barLeft + BarWidth / 2, Y(cell.Upper), Y(cell.Lower));
                var label = cell.Rate >= 0.1 || cell.Rate == 0 ? ReportFormat.Percent(cell.Rate, 0) : ReportFormat.Percent(cell.Rate, 1);
                canvas.TextCentered(label, barLeft + BarWidth / 2, Y(cell.Upper) - 22, 2, ReportPalette.Ink);
            }
            int groupCentre = groupLeft + (arms.Count * BarWidth + (arms.Count - 1) * BarGap) / 2;
            int maxChars = Math.Max(4, (groupWidth - 8) / 12);
            canvas.TextCentered(Cut(group.Name, maxChars), groupCentre, plotBottom + 14, 2, ReportPalette.Ink, bold: group.Pooled);
            var n = group.Cells.Values.Select(c => c.Total).Distinct().ToList();
            var counts = n.Count == 1 ? $"n = {n[0]} per model" : $"n = {string.Join("/", group.Cells.Values.Select(c => c.Total))}";
            canvas.TextCentered(Cut(counts, (groupWidth - 8) / 12), groupCentre, plotBottom + 38, 2, ReportPalette.Muted);
            if (group.Pooled && g > 0)
            {
                int sep = groupLeft - GroupPadding / 2;
                for (int y = plotTop; y < plotBottom; y += 6) canvas.Fill(sep, y, 1, 3, ReportPalette.Grid);
            }
        }
        canvas.Fill(plotLeft, plotTop, 2, PlotHeight + 1, ReportPalette.Axis);
        canvas.Fill(plotLeft, plotBottom, plotRight - plotLeft, 2, ReportPalette.Axis);
        return canvas.ToPng();
    }

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

    /// <summary>One legend column per model, before the attack above after it, so hue pairs with column.</summary>
    private static void DrawLegend(PixelCanvas canvas, IReadOnlyList<EvalArm> arms, int left, int top)
    {
        int x = left;
        foreach (var column in arms.GroupBy(a => a.Variant))
        {
            int y = top, widest = 0;
            foreach (var arm in column)
            {
                canvas.Fill(x, y, 18, 18, ReportPalette.Of(arm));
                canvas.Text(arm.Label, x + 26, y + 2, 2, ReportPalette.Ink);
                widest = Math.Max(widest, PixelCanvas.TextWidth(arm.Label, 2));
                y += 26;
            }
            x += 26 + widest + 48;
        }
    }

    private static int LegendWidth(IReadOnlyList<EvalArm> arms) =>
        arms.GroupBy(a => a.Variant).Sum(g => 26 + g.Max(a => PixelCanvas.TextWidth(a.Label, 2)) + 48);

    private static void DrawWhisker(PixelCanvas canvas, int centreX, int top, int bottom)
    {
        canvas.Fill(centreX - 1, top, 2, Math.Max(1, bottom - top + 1), ReportPalette.Whisker);
        canvas.Fill(centreX - 8, top, 16, 2, ReportPalette.Whisker);
        canvas.Fill(centreX - 8, bottom - 1, 16, 2, ReportPalette.Whisker);
    }

    private static string Describe(string classifier) => string.IsNullOrEmpty(classifier) ? "the harm classifier" : classifier;

    internal static string Cut(string text, int max) =>
        text.Length <= max ? text : max <= 3 ? text[..max] : text[..(max - 3)] + "...";
}
