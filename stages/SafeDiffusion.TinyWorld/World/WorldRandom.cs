using SafeDiffusion.Core.Randomness;

namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// The world's draws over <see cref="SplitMix64"/>, so a seed names the same scenes and captions on every runtime
/// version (System.Random's algorithm is an implementation detail). Not thread-safe; make one per stream.
/// </summary>
public sealed class WorldRandom(long seed)
{
    private readonly SplitMix64 _bits = new(seed);

    public ulong NextUInt64() => _bits.NextUInt64();

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => _bits.NextDouble();

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    public int Next(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        // Multiply-shift keeps the bias below 2^-32 for the small ranges used here.
        return (int)(((NextUInt64() >> 32) * (ulong)exclusiveMax) >> 32);
    }

    public int Next(int inclusiveMin, int exclusiveMax) => inclusiveMin + Next(exclusiveMax - inclusiveMin);

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
    public int PickWeighted(IReadOnlyList<double> weights)
    {
        double total = weights.Sum(), u = NextDouble() * total;
        for (int i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Count - 1;
    }

    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    public long NextSeed() => (long)(NextUInt64() >> 11);
}
