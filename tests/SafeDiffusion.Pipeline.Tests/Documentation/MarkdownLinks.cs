using System.Text;
using System.Text.RegularExpressions;

namespace SafeDiffusion.Pipeline.Tests.Documentation;

/// <summary>
/// Reads the links and heading anchors of a markdown file the way GitHub renders it, closely enough for checking a
/// repository's own documentation: links inside fenced code blocks and inline code are text, not links.
/// </summary>
internal static partial class MarkdownLinks
{
    /// <summary>Every inline link and image (<c>[text](target)</c>, <c>![alt](target)</c>) outside code, in order.</summary>
    public static IReadOnlyList<MarkdownLink> Find(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var links = new List<MarkdownLink>();
        var lines = markdown.Split('\n');
        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            if (IsFence(lines[i])) { inFence = !inFence; continue; }
            if (inFence) continue;
            foreach (Match m in InlineLink().Matches(InlineCode().Replace(lines[i], "")))
                links.Add(new MarkdownLink(i + 1, m.Groups["target"].Value));
        }
        return links;
    }

    /// <summary>The anchors GitHub gives the file's headings (outside code blocks), such as <c>known-issues</c> for "Known issues".</summary>
    public static IReadOnlySet<string> HeadingAnchors(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        bool inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (IsFence(line)) { inFence = !inFence; continue; }
            if (inFence) continue;
            var heading = Heading().Match(line);
            if (!heading.Success) continue;
            var anchor = Slug(heading.Groups["text"].Value);
            // A repeated heading gets -1, -2, ... as GitHub numbers them.
            var unique = anchor;
            for (int n = 1; !anchors.Add(unique); n++) unique = $"{anchor}-{n}";
        }
        return anchors;
    }

    /// <summary>GitHub's heading slug: lower case, markup and punctuation dropped, spaces turned into hyphens.</summary>
    public static string Slug(string heading)
    {
        var sb = new StringBuilder(heading.Length);
        foreach (char c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_') sb.Append(c);
            else if (c == ' ') sb.Append('-');
        }
        return sb.ToString();
    }

    private static bool IsFence(string line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    [GeneratedRegex(@"!?\[(?:[^\]\\]|\\.)*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}
