namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// The files a report rendering wrote (full paths); <see cref="Chart"/> is null when no harmful set was evaluated,
/// <see cref="RecoveryChart"/> when the summary has no recovery curve.
/// </summary>
public sealed record ReportOutput(string Markdown, string Json, string? Chart, string? ComparisonGrid, IReadOnlyList<string> ArmGrids)
{
    public string? RecoveryChart { get; init; }

    public IEnumerable<string> All =>
        new[] { Markdown, Json, Chart, RecoveryChart, ComparisonGrid }.OfType<string>().Concat(ArmGrids);
}
