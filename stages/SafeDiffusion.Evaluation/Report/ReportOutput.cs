namespace SafeDiffusion.Evaluation.Report;

/// <summary>The files a report rendering wrote (full paths); <see cref="Chart"/> is null when no harmful set was evaluated.</summary>
public sealed record ReportOutput(string Markdown, string Json, string? Chart, string? ComparisonGrid, IReadOnlyList<string> ArmGrids)
{
    public IEnumerable<string> All =>
        new[] { Markdown, Json, Chart, ComparisonGrid }.OfType<string>().Concat(ArmGrids);
}
