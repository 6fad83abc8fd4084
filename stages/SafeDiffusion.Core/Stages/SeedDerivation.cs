using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Seeds derived from the run's root seed and a purpose ("images", a prompt id): every image, shuffle and noise
/// draw is reproducible and independent of batching, sharding and the order work happens to run in.
/// </summary>
public static class SeedDerivation
{
    public static long Derive(long rootSeed, params string[] purpose)
    {
        var text = rootSeed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\u001f" + string.Join("\u001f", purpose);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        // Positive 53-bit values survive every consumer: torch generators, doubles in JSON, Parquet int64.
        return (long)(BinaryPrimitives.ReadUInt64LittleEndian(hash) & ((1UL << 53) - 1));
    }
}
