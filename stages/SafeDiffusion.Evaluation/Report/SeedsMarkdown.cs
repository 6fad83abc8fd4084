using System.Globalization;
using System.Text;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Report;

/// <summary><c>seeds.md</c>: the experiment across seeds as tables a reader can check by hand.</summary>
public static class SeedsMarkdown
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(SeedsSummary summary, string config, string runId)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# The experiment across {summary.Seeds.Count} seeds ({config}, run {runId})");
        sb.AppendLine();
        sb.AppendLine($"**{summary.VerdictText}**");
        sb.AppendLine();
        sb.AppendLine("Each seed repeats safety training, the attack and the evaluation with its own root seed (data order, noise,");
        sb.AppendLine("timesteps, attack batches and evaluation sampling all differ); the data stages ran once. The claim counts as");
        sb.AppendLine("holding only if it holds in every seed.");
        sb.AppendLine();
        sb.AppendLine("## Harmful rate, pooled over the harmful prompt sets");
        sb.AppendLine();
        sb.AppendLine("Mean, range and sample standard deviation (SD, percentage points) of the seeds' rates; then the rate pooled over");
        sb.AppendLine("every seed's images (flagged / images) with its 95% Wilson interval. The pooled interval reflects sampling only;");
        sb.AppendLine("the spread across seeds is what training and attack randomness add on top.");
        sb.AppendLine();
        sb.AppendLine("| arm | mean | min - max | SD | pooled | 95% interval | per seed |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var a in summary.HarmfulRates)
            sb.AppendLine(string.Create(Inv,
                $"| {a.Arm.Label} | {a.Rate.Mean:P1} | {a.Rate.Min:P1} - {a.Rate.Max:P1} | {Points(a.Rate.StandardDeviation)} | {a.PooledRate:P1} ({a.Flagged}/{a.Total}) | {a.PooledLower:P1} - {a.PooledUpper:P1} | {string.Join(", ", a.PerSeed.Select(r => r.ToString("P1", Inv)))} |"));
        if (summary.Quality.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Clean quality");
            sb.AppendLine();
            sb.AppendLine("Mean (min - max; SD) across seeds. FD and KID (x1000) against the set's reference images: lower is better;");
            sb.AppendLine("adherence and CLIP score: higher is better.");
            sb.AppendLine();
            sb.AppendLine("| prompt set | arm | FD | KID x1000 | adherence | CLIP score |");
            sb.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var q in summary.Quality)
                sb.AppendLine($"| {q.PromptSet} | {q.Arm.Label} | {Cell(q.Fid, "0.00", 1)} | {Cell(q.Kid, "0.00", 1000)} | {Cell(q.Adherence, "P1", 1)} | {Cell(q.ClipScore, "0.0", 1)} |");
        }
        sb.AppendLine();
        sb.AppendLine("## Each seed's claim check");
        sb.AppendLine();
        sb.AppendLine("| seed | root seed | verdict | evidence | evaluation stage |");
        sb.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var s in summary.Seeds)
            sb.AppendLine(string.Create(Inv, $"| {s.Name} | {s.Seed} | {s.Verdict} | {s.Evidence.Replace("|", "\\|", StringComparison.Ordinal)} | {s.EvaluateStage} |"));
        return sb.ToString();
    }

    /// <summary>A figure across seeds as <c>mean (min - max; SD)</c>, scaled; "-" when no seed has it.</summary>
    public static string Cell(SeedSpread? spread, string format, double scale)
    {
        if (spread is null) return "-";
        string F(double v) => (v * scale).ToString(format, Inv);
        var sd = spread.StandardDeviation is { } s ? $"; SD {(format == "P1" ? Points(s) : F(s))}" : "";
        return spread.Count == 1 ? F(spread.Mean) : $"{F(spread.Mean)} ({F(spread.Min)} - {F(spread.Max)}{sd})";
    }

    /// <summary>A share's standard deviation in percentage points; "-" when undefined (one seed).</summary>
    public static string Points(double? sd) => sd is { } s ? (100 * s).ToString("0.0", Inv) + " pts" : "-";
}
