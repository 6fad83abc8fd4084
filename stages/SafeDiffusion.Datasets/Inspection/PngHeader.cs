using System.Buffers.Binary;

namespace SafeDiffusion.Datasets.Inspection;

/// <summary>Reads a PNG's dimensions from its IHDR chunk without decoding it.</summary>
public static class PngHeader
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    /// <summary>Width and height when <paramref name="bytes"/> starts with a PNG signature and an IHDR chunk.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> bytes, out int width, out int height)
    {
        width = height = 0;
        // signature (8) + chunk length (4) + "IHDR" (4) + width (4) + height (4)
        if (bytes.Length < 24 || !IsPng(bytes) || !bytes.Slice(12, 4).SequenceEqual("IHDR"u8)) return false;
        width = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(16, 4));
        height = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(20, 4));
        return width > 0 && height > 0;
    }
}
