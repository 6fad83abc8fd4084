namespace SafeDiffusion.Core.Randomness;

/// <summary>
/// A small deterministic random generator (Steele, Lea and Flood's SplitMix64): the same seed gives the same
/// sequence on every platform and runtime version, which <see cref="Random"/> does not promise. Not thread-safe;
/// make one per stream.
/// </summary>
/// <remarks>
/// <see cref="NextUInt64"/> is SplitMix64's sequence. The two bounded draws map it to <c>[0, n)</c> in different
/// ways, so they give different values from the same seed; each caller uses the one its recorded outputs (shuffles,
/// tiny models, cache keys) were made with, and the names keep the two apart:
/// <see cref="Next"/> rejects draws to remove modulo bias; <see cref="NextMultiplyShift"/> takes the high word of
/// a 128-bit product, one draw per value.
/// </remarks>
public sealed class SplitMix64
{
    private ulong _state;

    public SplitMix64(long seed) => _state = unchecked((ulong)seed);

    public SplitMix64(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>), without modulo bias (draws again above the last whole multiple).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is zero or negative.</exception>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong bound = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (int)(value % bound);
    }

    /// <summary>
    /// A value in [0, <paramref name="count"/>) from exactly one draw (Lemire's multiply-shift: the high 64 bits of
    /// draw x count); the bias is below 2^-32 for any count below 2^32.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is zero or negative.</exception>
    public int NextMultiplyShift(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return (int)(((UInt128)NextUInt64() * (ulong)count) >> 64);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher-Yates shuffle in place, drawing with <see cref="Next"/>.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
