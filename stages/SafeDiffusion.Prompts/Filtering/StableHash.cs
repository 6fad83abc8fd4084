using System.Text;

namespace SafeDiffusion.Prompts.Filtering;

/// <summary>
/// Fast 64-bit hashes that are the same on every platform and in every process (unlike string.GetHashCode):
/// FNV-1a over UTF-8, finished with the SplitMix64 mixer. For sampling and shingling, not for security.
/// </summary>
public static class StableHash
{
    public static ulong Of(string text)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return Mix(hash);
    }

    /// <summary>The hash of <paramref name="text"/> under <paramref name="seed"/>: a different seed gives an unrelated order.</summary>
    public static ulong Of(string text, long seed) => Mix(Of(text) ^ Mix(unchecked((ulong)seed) + 0x9E3779B97F4A7C15UL));

    /// <summary>SplitMix64's finaliser: a bijection that spreads every input bit over the output.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
