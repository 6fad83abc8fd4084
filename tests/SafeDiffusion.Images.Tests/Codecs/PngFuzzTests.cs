using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SafeDiffusion.Images.Tests.Codecs;

[CollectionDefinition(FuzzRunner.CollectionName, DisableParallelization = true)]
public sealed class PngFuzzCollection;

/// <summary>
/// Seeded mutations of a PNG the project wrote: every one must decode or end in an InputDataException, within
/// 10 s and 1 GiB of allocations.
/// </summary>
[Collection(FuzzRunner.CollectionName)]
[Trait("Category", "Fuzz")]
public class PngFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 26;

    [Fact]
    public async Task Every_mutation_of_a_valid_png_decodes_or_is_a_clear_input_error()
    {
        var cases = Cases(ValidPng()).ToList();

        var counts = await FuzzRunner.RunAsync("png", cases, c =>
        {
            PngCodec.Decode(c.Bytes, "fuzz.png");
            return Task.CompletedTask;
        }, e => e is InputDataException, output);

        FuzzAssert.Held(counts, minimumCases: 200, someMustRead: false);
    }

    private static byte[] ValidPng()
    {
        var random = new Random(Seed);
        var pixels = new byte[40 * 30 * 3];
        random.NextBytes(pixels);
        return PngCodec.Encode(new Rgb8Image(pixels, 40, 30));
    }

    private static IEnumerable<FuzzCase> Cases(byte[] png)
    {
        var random = new Random(Seed);
        var chunks = PngChunks.Of(png);
        var ihdr = chunks.Single(c => c.Type == "IHDR");
        var idat = chunks.First(c => c.Type == "IDAT");
        int index = 0;

        for (int i = 0; i < 80; i++)
            yield return new FuzzCase(index++, $"flip {1 + i % 4} bits anywhere", ByteMutator.FlipBits(png, random, 1 + i % 4));
        for (int i = 0; i < 30; i++)
            yield return new FuzzCase(index++, "flip a bit of IHDR, CRC fixed",
                PngChunks.WithCrc(ByteMutator.FlipBits(png, random, 1, ihdr.DataOffset, ihdr.DataOffset + ihdr.Length), ihdr.Offset));
        for (int i = 0; i < 40; i++)
            yield return new FuzzCase(index++, $"flip {1 + i % 3} bits of the zlib data, CRC fixed",
                PngChunks.WithCrc(ByteMutator.FlipBits(png, random, 1 + i % 3, idat.DataOffset, idat.DataOffset + idat.Length), idat.Offset));
        for (int i = 0; i < 40; i++)
        {
            int length = random.Next(0, png.Length);
            yield return new FuzzCase(index++, $"truncate to {length} bytes", ByteMutator.Truncate(png, length));
        }
        // A 32-bit field takes the low half of each hostile value (2^63 becomes 0 there).
        foreach (var (name, value) in ByteMutator.HostileValues)
        {
            foreach (var chunk in chunks)
                yield return new FuzzCase(index++, $"{chunk.Type} length = {name}",
                    ByteMutator.WithUInt32(png, chunk.Offset, value, bigEndian: true));
            foreach (var (field, at) in new[] { ("width", 0), ("height", 4) })
            {
                yield return new FuzzCase(index++, $"IHDR {field} = {name}, CRC fixed",
                    PngChunks.WithCrc(ByteMutator.WithUInt32(png, ihdr.DataOffset + at, value, bigEndian: true), ihdr.Offset));
                yield return new FuzzCase(index++, $"IHDR {field} = {name}, CRC stale",
                    ByteMutator.WithUInt32(png, ihdr.DataOffset + at, value, bigEndian: true));
            }
        }
        // Sizes just inside and outside the default limit, with the real (small) image data behind them.
        foreach (var (w, h) in new[] { (4096, 4096), (4097, 1), (1, 4097), (65535, 65535), (4096, 30) })
        {
            var resized = ByteMutator.WithUInt32(png, ihdr.DataOffset, w, bigEndian: true);
            resized = ByteMutator.WithUInt32(resized, ihdr.DataOffset + 4, h, bigEndian: true);
            yield return new FuzzCase(index++, $"IHDR {w}x{h}, CRC fixed", PngChunks.WithCrc(resized, ihdr.Offset));
        }
    }
}
