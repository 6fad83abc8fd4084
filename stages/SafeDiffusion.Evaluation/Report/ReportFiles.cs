using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>The report's file names inside its output folder.</summary>
public static class ReportFiles
{
    public const string Markdown = "report.md";
    public const string Json = Summary.EvalSummaryJson.FileName;
    public const string Chart = "harmful-rate.png";
    public const string RecoveryChart = "recovery-curve.png";
    public const string ComparisonGrid = "grid-comparison.png";

    public static string ArmGrid(EvalArm arm) => $"grid-{arm.Key}.png";
}
