using System.Buffers.Binary;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Testing;
using Xunit.Abstractions;

namespace SafeDiffusion.Images.Tests.Codecs;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PngFuzzCollection
{
    public const string Name = "PNG fuzz (counts the process's allocations)";
}

/// <summary>
/// Seeded mutations of a PNG the project wrote: every one must decode or end in an InputDataException, within
/// 10 s and 1 GB of allocations.
/// </summary>
[Collection(PngFuzzCollection.Name)]
[Trait("Category", "Fuzz")]
public class PngFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 26;

    [Fact]
    public async Task Every_mutation_of_a_valid_png_decodes_or_is_a_clear_input_error()
    {
        var cases = Cases(ValidPng()).ToList();

        var results = await FuzzRunner.RunAsync(cases, bytes =>
        {
            PngCodec.Decode(bytes, "fuzz.png");
            return Task.CompletedTask;
        });

        output.WriteLine(FuzzRunner.Summary("PNG", results));
        Assert.True(results.Count >= 200, $"only {results.Count} cases");
        Assert.True(results.Any(r => r.Outcome == FuzzOutcome.InputDataError), "no mutation was refused: the mutations do not reach the decoder");
        Assert.True(results.All(r => r.Outcome is FuzzOutcome.Success or FuzzOutcome.InputDataError), FuzzRunner.Failures(results));
    }

    private static byte[] ValidPng()
    {
        var random = new Random(Seed);
        var pixels = new byte[40 * 30 * 3];
        random.NextBytes(pixels);
        return PngCodec.Encode(new Rgb8Image(pixels, 40, 30));
    }

    /// <summary>The chunks of a PNG: (offset of the length field, type, data length).</summary>
    private static List<(int Offset, string Type, int Length)> Chunks(byte[] png)
    {
        var chunks = new List<(int, string, int)>();
        for (int pos = 8; pos + 8 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            chunks.Add((pos, System.Text.Encoding.ASCII.GetString(png, pos + 4, 4), length));
            pos += 12 + length;
        }
        return chunks;
    }

    private static IEnumerable<FuzzCase> Cases(byte[] png)
    {
        var random = new Random(Seed);
        var chunks = Chunks(png);
        var ihdr = chunks.Single(c => c.Type == "IHDR");
        var idat = chunks.First(c => c.Type == "IDAT");

        for (int i = 0; i < 80; i++)
            yield return new FuzzCase($"flip {1 + i % 4} bits anywhere #{i}", FuzzMutations.FlipBits(png, random, 1 + i % 4));
        for (int i = 0; i < 30; i++)
            yield return new FuzzCase($"flip a bit of IHDR, CRC fixed #{i}",
                WithCrc(FuzzMutations.FlipBits(png, random, 1, ihdr.Offset + 8, ihdr.Offset + 8 + ihdr.Length), ihdr.Offset));
        for (int i = 0; i < 40; i++)
            yield return new FuzzCase($"flip {1 + i % 3} bits of the zlib data, CRC fixed #{i}",
                WithCrc(FuzzMutations.FlipBits(png, random, 1 + i % 3, idat.Offset + 8, idat.Offset + 8 + idat.Length), idat.Offset));
        for (int i = 0; i < 40; i++)
        {
            int length = random.Next(0, png.Length);
            yield return new FuzzCase($"truncate to {length} bytes", FuzzMutations.Truncate(png, length));
        }
        foreach (var value in FuzzMutations.HostileLengths)
        {
            foreach (var chunk in chunks)
                yield return new FuzzCase($"{chunk.Type} length = {FuzzMutations.Describe(value)}",
                    FuzzMutations.SetUInt32(png, chunk.Offset, value, bigEndian: true));
            foreach (var (field, at) in new[] { ("width", 0), ("height", 4) })
            {
                yield return new FuzzCase($"IHDR {field} = {FuzzMutations.Describe(value)}, CRC fixed",
                    WithCrc(FuzzMutations.SetUInt32(png, ihdr.Offset + 8 + at, value, bigEndian: true), ihdr.Offset));
                yield return new FuzzCase($"IHDR {field} = {FuzzMutations.Describe(value)}, CRC stale",
                    FuzzMutations.SetUInt32(png, ihdr.Offset + 8 + at, value, bigEndian: true));
            }
        }
        // Sizes just inside and outside the default limit, with the real (small) image data behind them.
        foreach (var (w, h) in new[] { (4096, 4096), (4097, 1), (1, 4097), (65535, 65535), (4096, 30) })
        {
            var resized = FuzzMutations.SetUInt32(png, ihdr.Offset + 8, w, bigEndian: true);
            resized = FuzzMutations.SetUInt32(resized, ihdr.Offset + 12, h, bigEndian: true);
            yield return new FuzzCase($"IHDR {w}x{h}, CRC fixed", WithCrc(resized, ihdr.Offset));
        }
    }

    /// <summary>The PNG with the CRC of the chunk at <paramref name="chunkOffset"/> recomputed, so the decoder reads its data.</summary>
    private static byte[] WithCrc(byte[] png, int chunkOffset)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(chunkOffset));
        var typed = png.AsSpan(chunkOffset + 4, 4 + length);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(chunkOffset + 8 + length), HostileImages.Crc32(typed));
        return png;
    }
}
