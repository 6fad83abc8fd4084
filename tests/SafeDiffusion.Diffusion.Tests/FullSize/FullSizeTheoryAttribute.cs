namespace SafeDiffusion.Diffusion.Tests.FullSize;

/// <summary>
/// A theory over the full-size reference sets: reported as skipped, with the reason, where
/// <see cref="FullSizeReferenceSets.EnvironmentVariable"/> is unset, so a run without the sets says that these checks
/// did not happen instead of passing them.
/// </summary>
public sealed class FullSizeTheoryAttribute : TheoryAttribute
{
    public FullSizeTheoryAttribute()
    {
        if (FullSizeReferenceSets.SkipReason is { } reason) Skip = reason;
    }
}
