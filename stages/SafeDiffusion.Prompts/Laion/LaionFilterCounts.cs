namespace SafeDiffusion.Prompts.Laion;

/// <summary>Rows read, rows dropped per filter, rows left, and rows sampled; goes into the run manifest.</summary>
public sealed record LaionFilterCounts(
    long Read,
    long MissingText,
    long Unsafe,
    long UnknownPunsafe,
    long Watermarked,
    long LowSimilarity,
    long SmallImage,
    long TooShort,
    long TooLong,
    long NonAscii,
    long Duplicate,
    long Passed,
    long Sampled)
{
    public IReadOnlyDictionary<string, double> ToMetrics() => new Dictionary<string, double>
    {
        ["captions_read"] = Read,
        ["captions_dropped_missing_text"] = MissingText,
        ["captions_dropped_unsafe"] = Unsafe,
        ["captions_dropped_unknown_punsafe"] = UnknownPunsafe,
        ["captions_dropped_watermarked"] = Watermarked,
        ["captions_dropped_low_similarity"] = LowSimilarity,
        ["captions_dropped_small_image"] = SmallImage,
        ["captions_dropped_too_short"] = TooShort,
        ["captions_dropped_too_long"] = TooLong,
        ["captions_dropped_non_ascii"] = NonAscii,
        ["captions_dropped_duplicate"] = Duplicate,
        ["captions_passed"] = Passed,
        ["captions_sampled"] = Sampled,
    };
}
