namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>The doctor's report as Markdown: a few header lines, then one table row per <see cref="DoctorRow"/>.</summary>
internal static class DoctorTable
{
    public const string HeaderRow = "| check | subject | type | value | bound | result | note |";
    public const string RuleRow = "| --- | --- | --- | --- | --- | --- | --- |";

    public static string Format(DoctorRow row) =>
        $"| {Cell(row.Check)} | {Cell(row.Subject)} | {Cell(row.Precision)} | {Cell(row.Value)} | {Cell(row.Bound)} | {Result(row.Outcome)} | {Cell(row.Note ?? "")} |";

    public static string Result(DoctorOutcome outcome) => outcome switch
    {
        DoctorOutcome.Pass => "PASS",
        DoctorOutcome.Fail => "FAIL",
        DoctorOutcome.Measured => "measured",
        _ => "not supported",
    };

    /// <summary>A cell's text on one line, with the table's separator escaped.</summary>
    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
}
