using System.Text;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// Splits cleaned text into the pieces BPE works on, as openai/CLIP's pattern
/// <c>&lt;|startoftext|&gt;|&lt;|endoftext|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c> does under
/// <c>findall</c>. Hand-written rather than a .NET regex because .NET classifies UTF-16 units, so letters outside
/// the BMP (CJK extension B, mathematical letters) would not count as <c>\p{L}</c>.
/// </summary>
public static class ClipPreTokenizer
{
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";
    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static IEnumerable<string> Split(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            int length = MatchAt(text, i);
            if (length == 0)
            {
                RuneAt(text, i, out int skipped);
                i += skipped; // whitespace: findall skips positions where nothing matches
                continue;
            }
            yield return text.Substring(i, length);
            i += length;
        }
    }

    private static int MatchAt(string text, int i)
    {
        if (string.CompareOrdinal(text, i, StartOfText, 0, StartOfText.Length) == 0) return StartOfText.Length;
        if (string.CompareOrdinal(text, i, EndOfText, 0, EndOfText.Length) == 0) return EndOfText.Length;
        if (text[i] == '\'')
            foreach (var c in Contractions)
                if (i + c.Length <= text.Length && string.Compare(text, i, c, 0, c.Length, StringComparison.OrdinalIgnoreCase) == 0)
                    return c.Length;

        var first = RuneAt(text, i, out int firstLength);
        var kind = Classify(first);
        if (kind == Kind.Space) return 0;
        if (kind == Kind.Number) return firstLength;
        int j = i + firstLength;
        while (j < text.Length)
        {
            var r = RuneAt(text, j, out int length);
            if (Classify(r) != kind) break;
            j += length;
        }
        return j - i;
    }

    private enum Kind { Letter, Number, Space, Other }

    private static Kind Classify(Rune r)
    {
        if (Rune.IsLetter(r)) return Kind.Letter;
        if (Rune.IsNumber(r)) return Kind.Number;
        if (ClipTextCleaner.IsPythonSpace(r.Value)) return Kind.Space;
        return Kind.Other;
    }

    /// <summary>The code point at <paramref name="i"/>; a lone surrogate reads as U+FFFD, one unit long.</summary>
    private static Rune RuneAt(string text, int i, out int length)
    {
        Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out length);
        if (length == 0) length = 1;
        return rune;
    }
}
