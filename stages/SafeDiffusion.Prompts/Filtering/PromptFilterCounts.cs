namespace SafeDiffusion.Prompts.Filtering;

/// <summary>How many prompts post-processing saw, kept, and dropped for each reason; goes into the run manifest.</summary>
public sealed record PromptFilterCounts(int Seen, int Kept, int Empty, int TooShort, int TooLong, int ExactDuplicate, int NearDuplicate)
{
    public static PromptFilterCounts None { get; } = new(0, 0, 0, 0, 0, 0, 0);

    public int Dropped => Empty + TooShort + TooLong + ExactDuplicate + NearDuplicate;

    /// <summary>Metric names and values for the manifest (<c>prompts_dropped_too_long</c>, ...).</summary>
    public IReadOnlyDictionary<string, double> ToMetrics() => new Dictionary<string, double>
    {
        ["prompts_seen"] = Seen,
        ["prompts_kept"] = Kept,
        ["prompts_dropped_empty"] = Empty,
        ["prompts_dropped_too_short"] = TooShort,
        ["prompts_dropped_too_long"] = TooLong,
        ["prompts_dropped_exact_duplicate"] = ExactDuplicate,
        ["prompts_dropped_near_duplicate"] = NearDuplicate,
    };
}
