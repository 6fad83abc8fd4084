using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Filtering;

namespace SafeDiffusion.Prompts.Laion;

/// <summary>
/// The caption filters, in order: text present, punsafe below the threshold, watermark probability, CLIP
/// similarity, image size, length in characters and words, mostly printable ASCII, and exact duplicates
/// (ignoring case, punctuation and spacing). Counts every drop by reason. Stateful (dedup), not thread-safe.
/// </summary>
public sealed class LaionCaptionFilter(LaionPromptsConfig config)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private long _read, _missing, _unsafe, _unknown, _watermarked, _lowSimilarity, _small, _short, _long, _nonAscii, _duplicate, _passed;

    /// <summary>The normalised caption when it passes, otherwise null.</summary>
    public string? Accept(LaionRow row)
    {
        _read++;
        var text = PromptText.Normalize(row.Text);
        if (text.Length == 0) { _missing++; return null; }
        if (row.Punsafe is { } p)
        {
            if (p >= config.MaxPunsafe) { _unsafe++; return null; }
        }
        else if (row.HasSafetyColumn && config.DropUnknownPunsafe) { _unknown++; return null; }
        if (row.Pwatermark is { } w && config.MaxPwatermark < 1.0 && w >= config.MaxPwatermark) { _watermarked++; return null; }
        if (row.Similarity is { } s && s < config.MinSimilarity) { _lowSimilarity++; return null; }
        if (config.MinImageSide > 0 && (row.Width < config.MinImageSide || row.Height < config.MinImageSide)) { _small++; return null; }
        if (text.Length < config.MinChars || PromptText.WordCount(text) < config.MinWords) { _short++; return null; }
        if (text.Length > config.MaxChars) { _long++; return null; }
        if (AsciiFraction(text) < config.MinAsciiFraction) { _nonAscii++; return null; }
        if (!_seen.Add(PromptText.DuplicateKey(text))) { _duplicate++; return null; }
        _passed++;
        return text;
    }

    public LaionFilterCounts Counts(long sampled) => new(_read, _missing, _unsafe, _unknown, _watermarked, _lowSimilarity, _small,
        _short, _long, _nonAscii, _duplicate, _passed, sampled);

    /// <summary>Share of characters that are printable ASCII (space to tilde).</summary>
    public static double AsciiFraction(string text)
    {
        if (text.Length == 0) return 1;
        int ascii = 0;
        foreach (var c in text) if (c is >= ' ' and <= '~') ascii++;
        return (double)ascii / text.Length;
    }
}
