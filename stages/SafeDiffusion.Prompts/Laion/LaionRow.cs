namespace SafeDiffusion.Prompts.Laion;

/// <summary>A caption with the LAION metadata the filters use; text-only lists leave the scores null.</summary>
/// <param name="HasSafetyColumn">The source has a punsafe column, so a null punsafe means "unknown", not "not given".</param>
public sealed record LaionRow(string? Text, double? Punsafe = null, double? Pwatermark = null, double? Similarity = null,
    long? Width = null, long? Height = null, bool HasSafetyColumn = false);
