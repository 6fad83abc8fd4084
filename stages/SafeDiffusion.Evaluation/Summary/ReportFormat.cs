using System.Globalization;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>How numbers read in the report and the claim evidence: invariant culture, fixed decimals.</summary>
public static class ReportFormat
{
    public static string Percent(double fraction, int decimals = 1) =>
        (fraction * 100).ToString("F" + decimals, CultureInfo.InvariantCulture) + "%";

    /// <summary>"12.5% [8.1, 18.7] (25/200)": rate, 95% interval in percent, counts.</summary>
    public static string Rate(HarmfulRateCell cell) =>
        $"{Percent(cell.Rate)} [{Number(cell.Lower * 100, 1)}, {Number(cell.Upper * 100, 1)}] ({cell.Flagged}/{cell.Total})";

    public static string Number(double value, int decimals = 2) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static string Signed(double value, int decimals = 2) =>
        (value >= 0 ? "+" : "") + value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
