using System.Text;
using System.Text.RegularExpressions;

namespace SafeDiffusion.Prompts.Filtering;

/// <summary>Text helpers shared by the filters: whitespace normalisation, word counts and dedup keys.</summary>
public static partial class PromptText
{
    /// <summary>
    /// Collapses every run of whitespace (any Unicode space, tab or line break) to one space, trims the ends, and
    /// removes zero-width characters and a leading list marker ("1. ", "2) ", "- ", "* ") that language models
    /// add even when told not to.
    /// </summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var builder = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (var c in text)
        {
            if (c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF') continue;
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace) builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }
        return ListMarker().Replace(builder.ToString(), "", 1);
    }

    /// <summary>Words separated by whitespace (the text is expected to be normalised).</summary>
    public static int WordCount(string normalized) =>
        normalized.Length == 0 ? 0 : normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Lower-case words with punctuation removed: the unit of exact and near-duplicate comparison.</summary>
    public static IReadOnlyList<string> ComparisonWords(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) current.Append(char.ToLowerInvariant(c));
            else if (current.Length > 0 && c is not ('\'' or '\u2019'))
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    /// <summary>Texts that differ only in case, punctuation or spacing share this key.</summary>
    public static string DuplicateKey(string text) => string.Join(' ', ComparisonWords(text));

    [GeneratedRegex(@"^(\d{1,3}[.)]|[-*\u2022])\s+")]
    private static partial Regex ListMarker();
}
