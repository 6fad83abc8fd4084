namespace SafeDiffusion.Evaluation.Report;

/// <summary>The report grids' text sizes, pixels per em: captions, labels, and headings.</summary>
internal static class ReportText
{
    public const float Small = 12;
    public const float Medium = 16;
    public const float Large = 28;
}
