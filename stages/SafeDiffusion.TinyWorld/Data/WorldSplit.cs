using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Data;

/// <summary>Which side of the world's train/holdout split a scene description falls on.</summary>
public enum WorldSplitSide
{
    Train,
    Holdout,
}

/// <summary>
/// Splits scene descriptions (not captions) between training and holdout by a hash of the world seed and the
/// description, so every wording of a held-out scene stays out of training and the split never depends on the
/// order or number of draws.
/// </summary>
public static class WorldSplit
{
    public static WorldSplitSide Of(SceneDescription description, long worldSeed, double holdoutShare)
    {
        if (holdoutShare <= 0) return WorldSplitSide.Train;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{worldSeed}\u001fsplit\u001f{description.Key}"), hash);
        double u = (BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) * (1.0 / (1UL << 53));
        return u < holdoutShare ? WorldSplitSide.Holdout : WorldSplitSide.Train;
    }
}
