using System.Buffers.Binary;
using System.Diagnostics;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Testing;

/// <summary>One mutated input: what was done to the valid file, and the bytes.</summary>
public sealed record FuzzCase(string Name, byte[] Bytes);

/// <summary>How a reader ended on one <see cref="FuzzCase"/>.</summary>
public enum FuzzOutcome
{
    /// <summary>Read to the end without an error (a mutation the format tolerates).</summary>
    Success,
    /// <summary>The project's clear error for bad input: an <see cref="InputDataException"/>.</summary>
    InputDataError,
    /// <summary>Any other exception: a crash a user would see as a stack trace.</summary>
    OtherException,
    /// <summary>Still running when the time limit passed.</summary>
    Hang,
    /// <summary>Allocated more than the memory limit while reading.</summary>
    TooMuchMemory,
}

public sealed record FuzzResult(FuzzCase Case, FuzzOutcome Outcome, string Detail, TimeSpan Elapsed, long AllocatedBytes);

/// <summary>Seeded mutations of a valid file: bit flips, truncations, integers overwritten with hostile values.</summary>
public static class FuzzMutations
{
    /// <summary>The values a length or count field is set to: 0, -1, 2^31 and 2^63 (as the field's width stores them).</summary>
    public static IReadOnlyList<long> HostileLengths { get; } = [0, -1, 1L << 31, long.MinValue];

    /// <summary>A copy with <paramref name="bits"/> random bits flipped between <paramref name="from"/> and <paramref name="to"/> (exclusive).</summary>
    public static byte[] FlipBits(byte[] data, Random random, int bits, int from = 0, int to = -1)
    {
        if (to < 0) to = data.Length;
        var copy = (byte[])data.Clone();
        for (int i = 0; i < bits; i++) copy[random.Next(from, to)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    public static byte[] Truncate(byte[] data, int length) => data[..length];

    /// <summary>A copy with the 4 bytes at <paramref name="offset"/> set to the low 32 bits of <paramref name="value"/>.</summary>
    public static byte[] SetUInt32(byte[] data, int offset, long value, bool bigEndian)
    {
        var copy = (byte[])data.Clone();
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), unchecked((uint)value));
        else BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), unchecked((uint)value));
        return copy;
    }

    /// <summary>How <see cref="HostileLengths"/> values are named in case names.</summary>
    public static string Describe(long value) => value switch
    {
        1L << 31 => "2^31",
        long.MinValue => "2^63",
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Runs a reader over fuzz cases one at a time, each with a time limit and a limit on the bytes it allocates, and
/// tallies how each ended. Tests using it must not run in parallel with others (the allocation count is the
/// process's).
/// </summary>
public static class FuzzRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public const long DefaultMaxAllocated = 1L << 30;

    public static async Task<IReadOnlyList<FuzzResult>> RunAsync(IEnumerable<FuzzCase> cases, Func<byte[], Task> read,
        TimeSpan? timeout = null, long maxAllocated = DefaultMaxAllocated)
    {
        var results = new List<FuzzResult>();
        foreach (var fuzzCase in cases) results.Add(await RunOneAsync(fuzzCase, read, timeout ?? DefaultTimeout, maxAllocated));
        return results;
    }

    private static async Task<FuzzResult> RunOneAsync(FuzzCase fuzzCase, Func<byte[], Task> read, TimeSpan timeout, long maxAllocated)
    {
        long before = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var work = Task.Run(() => read(fuzzCase.Bytes));
        FuzzOutcome outcome;
        string detail = "";
        try
        {
            await work.WaitAsync(timeout);
            outcome = FuzzOutcome.Success;
        }
        catch (TimeoutException)
        {
            outcome = FuzzOutcome.Hang;
            detail = $"still running after {timeout.TotalSeconds} s";
        }
        catch (InputDataException e)
        {
            outcome = FuzzOutcome.InputDataError;
            detail = e.Message;
        }
        catch (Exception e)
        {
            outcome = FuzzOutcome.OtherException;
            detail = $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
        }
        clock.Stop();
        long allocated = GC.GetTotalAllocatedBytes() - before;
        if (outcome != FuzzOutcome.Hang && allocated > maxAllocated)
        {
            detail = $"allocated {allocated} bytes ({outcome}: {detail})";
            outcome = FuzzOutcome.TooMuchMemory;
        }
        return new FuzzResult(fuzzCase, outcome, detail, clock.Elapsed, allocated);
    }

    /// <summary>"format: N cases, S success, E InputDataException, ... slowest T ms, most allocated M MiB".</summary>
    public static string Summary(string format, IReadOnlyList<FuzzResult> results)
    {
        var counts = Enum.GetValues<FuzzOutcome>()
            .Select(o => $"{results.Count(r => r.Outcome == o)} {o}");
        var slowest = results.Count == 0 ? 0 : results.Max(r => r.Elapsed.TotalMilliseconds);
        var most = results.Count == 0 ? 0 : results.Max(r => r.AllocatedBytes) / (1024.0 * 1024.0);
        return FormattableString.Invariant($"{format}: {results.Count} cases: {string.Join(", ", counts)}; slowest {slowest:F0} ms, most allocated {most:F1} MiB");
    }

    /// <summary>The cases that ended other than in success or a clear input error, described for a failure message.</summary>
    public static string Failures(IReadOnlyList<FuzzResult> results) =>
        string.Join("\n\n", results.Where(r => r.Outcome is not (FuzzOutcome.Success or FuzzOutcome.InputDataError))
            .Select(r => $"[{r.Outcome}] {r.Case.Name}: {r.Detail}"));
}
