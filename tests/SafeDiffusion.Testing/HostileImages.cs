using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SafeDiffusion.Testing;

/// <summary>
/// Image files built byte by byte that lie about their size: tiny on disk, enormous once decoded. Tests of image
/// readers use them to show a refusal comes from the header, before any pixel memory is taken.
/// </summary>
public static class HostileImages
{
    /// <summary>A 35-byte GIF whose screen and only frame claim <paramref name="width"/>x<paramref name="height"/>.</summary>
    public static byte[] HugeGif(ushort width = 30000, ushort height = 30000)
    {
        var gif = new List<byte>();
        gif.AddRange("GIF89a"u8.ToArray());
        gif.AddRange(UInt16(width));
        gif.AddRange(UInt16(height));
        gif.AddRange([0x80, 0x00, 0x00]);               // global colour table of 2 entries, background 0, no aspect
        gif.AddRange([0, 0, 0, 255, 255, 255]);         // the colour table
        gif.Add(0x2C);                                  // image descriptor
        gif.AddRange([0, 0, 0, 0]);                     // left, top
        gif.AddRange(UInt16(width));
        gif.AddRange(UInt16(height));
        gif.Add(0x00);
        gif.AddRange([0x02, 0x02, 0x44, 0x01, 0x00]);   // LZW minimum code size 2, one sub-block of 2 bytes, end
        gif.Add(0x3B);                                  // trailer
        return gif.ToArray();

        static byte[] UInt16(ushort value) => [(byte)value, (byte)(value >> 8)];
    }

    /// <summary>
    /// A valid 8-bit RGB PNG of <paramref name="width"/>x<paramref name="height"/> black pixels whose image data is
    /// one zlib stream of repeated deflate blocks: about a kilobyte per hundred rows compressed, the full
    /// width*height*3 bytes once inflated (20000x20000 is 1.2 GB of pixels in about a megabyte of file).
    /// </summary>
    public static byte[] ZlibBombPng(int width = 20000, int height = 20000)
    {
        int rowBytes = checked(1 + width * 3);          // filter byte "none", then the pixels
        byte[] rowBlock;
        using (var deflated = new MemoryStream())
        {
            using (var deflate = new DeflateStream(deflated, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                deflate.Write(new byte[rowBytes]);
                // A sync flush ends the row on a byte boundary with no reference into later data, so the same bytes
                // can be repeated once per row.
                deflate.Flush();
            }
            rowBlock = deflated.ToArray();
        }
        // The DeflateStream's Dispose appended a final empty block after the flushed data; keep only the flushed part.
        int flushed = LastSyncMarker(rowBlock) + 4;
        var idat = new MemoryStream();
        idat.Write([0x78, 0x9C]);                       // zlib header: deflate, 32 KiB window
        for (int y = 0; y < height; y++) idat.Write(rowBlock, 0, flushed);
        idat.Write([0x03, 0x00]);                       // final, empty fixed-Huffman block
        // Adler-32 of n zero bytes: a stays 1, b is n mod 65521.
        long total = (long)rowBytes * height;
        uint adler = (uint)(total % 65521) << 16 | 1u;
        var trailer = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, adler);
        idat.Write(trailer);

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;                                    // bit depth
        ihdr[9] = 2;                                    // colour type RGB
        return Png(("IHDR", ihdr), ("IDAT", idat.ToArray()), ("IEND", []));
    }

    /// <summary>A PNG made of the given chunks, each with its length and CRC.</summary>
    public static byte[] Png(params (string Type, byte[] Data)[] chunks)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var word = new byte[4];
        foreach (var (type, data) in chunks)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            png.Write(word);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(typed);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
            png.Write(word);
        }
        return png.ToArray();
    }

    /// <summary>The CRC-32 PNG chunks carry (ISO 3309, reflected, polynomial 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    // A sync flush ends in an empty stored block: 00 00 FF FF after the block header.
    private static int LastSyncMarker(byte[] deflated)
    {
        for (int i = deflated.Length - 4; i >= 0; i--)
            if (deflated[i] == 0 && deflated[i + 1] == 0 && deflated[i + 2] == 0xFF && deflated[i + 3] == 0xFF) return i;
        throw new InvalidOperationException("the deflate stream has no sync flush marker.");
    }
}
