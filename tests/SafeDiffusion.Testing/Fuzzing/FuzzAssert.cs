using Xunit;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>What every fuzz test asks of its run, in one place.</summary>
public static class FuzzAssert
{
    /// <summary>
    /// Fails unless the run held and meant something: at least <paramref name="minimumCases"/> cases ran, none failed
    /// (the first failures are the message), some were refused with the clear error (or the mutations never reach the
    /// reader's checks) and, where <paramref name="someMustRead"/>, some were read (or no mutation left the input
    /// acceptable, and the path that accepts input went unexercised).
    /// </summary>
    public static void Held(FuzzCounts counts, int minimumCases, bool someMustRead)
    {
        Assert.True(counts.Cases >= minimumCases, $"only {counts.Cases} cases ran; expected at least {minimumCases}. {counts}");
        Assert.True(counts.Failures.Count == 0, counts.FailureReport());
        Assert.True(counts.ClearErrors > 0, $"no mutation was refused: the mutations do not reach the reader's checks. {counts}");
        if (someMustRead)
            Assert.True(counts.Succeeded > 0, $"no mutation was read: none left the input acceptable. {counts}");
    }
}
