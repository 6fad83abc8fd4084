namespace SafeDiffusion.Prompts.TinyLlm;

/// <summary>SplitMix64: a tiny seeded generator whose sequence is the same on every platform and .NET version.</summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in <c>[0, count)</c> (Lemire's multiply-shift; the bias is below 2^-32 for any count used here).</summary>
    public int Next(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return (int)(((UInt128)NextUInt64() * (ulong)count) >> 64);
    }
}
