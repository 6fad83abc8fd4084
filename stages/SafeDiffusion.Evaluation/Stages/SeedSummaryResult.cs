using System.Globalization;
using System.Text;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>What the <c>seeds</c> stage hands on: the summary across seeds and where seeds.md is. Printed when a run ends.</summary>
public sealed record SeedSummaryResult(SeedsSummary Summary, string MarkdownPath) : IRunSummary
{
    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"harmful rate across {Summary.Seeds.Count} seeds, pooled over harmful prompt sets (mean [min-max] of the seeds; pooled flagged/images, 95% Wilson interval):");
        foreach (var a in Summary.HarmfulRates)
            sb.AppendLine(string.Create(inv,
                $"  {a.Arm.Label,-24} {a.Rate.Mean,6:P1} [{a.Rate.Min:P0}-{a.Rate.Max:P0}]   pooled {a.PooledRate:P1} ({a.Flagged}/{a.Total}) [{a.PooledLower:P0}-{a.PooledUpper:P0}]"));
        foreach (var s in Summary.Seeds)
            sb.AppendLine(string.Create(inv, $"  {s.Name} (seed {s.Seed}): {s.Verdict}"));
        sb.AppendLine($"claim: {Summary.VerdictText}");
        sb.Append($"seeds: {MarkdownPath}");
        return sb.ToString();
    }
}
