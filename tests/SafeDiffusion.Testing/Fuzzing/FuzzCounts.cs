using System.Globalization;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>
/// How the cases of one format ended: read without an error, refused with the project's clear error, or failed
/// (any other exception, a hang or too much memory; each failure names its case).
/// </summary>
public sealed record FuzzCounts(string Format, int Cases, int Succeeded, int ClearErrors, IReadOnlyList<string> Failures,
    TimeSpan Slowest, long MostAllocatedBytes)
{
    /// <summary>The summary line a fuzz test prints: the counts for the format, the slowest case and the most allocated by one.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"fuzz {Format}: {Cases} cases, {Succeeded} read, {ClearErrors} refused with a clear error, {Failures.Count} failed; " +
        $"slowest {Slowest.TotalMilliseconds:F0} ms, most allocated {MostAllocatedBytes / (1024.0 * 1024.0):F1} MiB");

    /// <summary>The first <paramref name="count"/> failures, for an assertion message.</summary>
    public string FailureReport(int count = 5) => string.Join("\n\n", Failures.Take(count));
}
