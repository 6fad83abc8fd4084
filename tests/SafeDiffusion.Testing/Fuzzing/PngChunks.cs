using System.Buffers.Binary;
using System.Text;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>
/// Where a PNG's chunks are, and how to re-seal one after a mutation: how fuzz tests aim mutations at IHDR or the
/// zlib data so that the decoder reads them instead of stopping at a CRC mismatch.
/// </summary>
public static class PngChunks
{
    /// <summary>One chunk: the offset of its 4-byte big-endian length field, its type, and its data length.</summary>
    public sealed record Chunk(int Offset, string Type, int Length)
    {
        /// <summary>The offset of the chunk's data (after its length and type).</summary>
        public int DataOffset => Offset + 8;
    }

    /// <summary>The chunks of a well-formed PNG, in file order (the 8-byte signature skipped).</summary>
    public static IReadOnlyList<Chunk> Of(byte[] png)
    {
        var chunks = new List<Chunk>();
        for (int pos = 8; pos + 8 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            chunks.Add(new Chunk(pos, Encoding.ASCII.GetString(png, pos + 4, 4), length));
            pos += 12 + length;
        }
        return chunks;
    }

    /// <summary>
    /// <paramref name="png"/> itself, with the CRC of the chunk at <paramref name="chunkOffset"/> recomputed over its
    /// type and data as they now are (the length field read from the bytes must still fit in the file).
    /// </summary>
    public static byte[] WithCrc(byte[] png, int chunkOffset)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(chunkOffset));
        var typed = png.AsSpan(chunkOffset + 4, 4 + length);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(chunkOffset + 8 + length), HostileImages.Crc32(typed));
        return png;
    }
}
