using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// The notice at the top of a report.md whose evaluation is stale (the models or data it judged have changed since):
/// what is stale and the command that refreshes it. Written between markers so it can be replaced or removed
/// without touching the rest; a fresh evaluation renders its report without one.
/// </summary>
public static class StaleReportNotice
{
    public const string Begin = "<!-- stale-notice -->";
    public const string End = "<!-- /stale-notice -->";

    /// <summary>
    /// Puts <paramref name="lines"/> at the top of the report at <paramref name="markdownPath"/> as a warning (replacing
    /// an earlier notice), or removes the notice when there are none. A missing report is left missing.
    /// </summary>
    public static void Apply(string markdownPath, IReadOnlyList<string> lines)
    {
        if (!File.Exists(markdownPath)) return;
        var text = Remove(File.ReadAllText(markdownPath));
        if (lines.Count > 0)
        {
            var notice = string.Join('\n', [Begin, "> **Stale: these results no longer follow from the run's current models and data.**", ">",
                .. lines.Select(l => $"> - {l}"), End, "", ""]);
            text = notice + text;
        }
        AtomicFile.WriteAllText(markdownPath, text);
    }

    /// <summary>The report's text without its stale notice.</summary>
    public static string Remove(string markdown)
    {
        int begin = markdown.IndexOf(Begin, StringComparison.Ordinal);
        int end = markdown.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin) return markdown;
        return markdown[..begin] + markdown[(end + End.Length)..].TrimStart('\n');
    }
}
