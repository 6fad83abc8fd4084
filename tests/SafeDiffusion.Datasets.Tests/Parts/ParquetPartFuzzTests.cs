using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Foreign;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;
using SafeDiffusion.Testing.Fuzzing;
using Xunit.Abstractions;

namespace SafeDiffusion.Datasets.Tests.Parts;

[CollectionDefinition(FuzzRunner.CollectionName, DisableParallelization = true)]
public sealed class ParquetFuzzCollection;

/// <summary>
/// Seeded mutations of a part the project's <see cref="ParquetPartWriter{TRow}"/> wrote, read by the part reader and by
/// the foreign-table reader: every one must read or end in an InputDataException, within 10 s and 1 GiB of allocations.
/// </summary>
[Collection(FuzzRunner.CollectionName)]
[Trait("Category", "Fuzz")]
public class ParquetPartFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 26;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_mutation_of_a_valid_part_reads_or_is_a_clear_input_error()
    {
        var part = await ValidPartAsync();
        var cases = Cases(part).ToList();
        var folder = Directory.CreateDirectory(_dir.File("case")).FullName;
        var file = Path.Combine(folder, "part-00000" + PartFiles.Extension);

        var counts = await FuzzRunner.RunAsync("parquet", cases, async c =>
        {
            await File.WriteAllBytesAsync(file, c.Bytes);
            await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, folder);
            await using var table = await ParquetTableReader.OpenAsync(file);
            await foreach (var _ in table.ReadRowsAsync(table.Columns.Where(c => c != "png").ToList())) { }
        }, e => e is InputDataException, output);

        FuzzAssert.Held(counts, minimumCases: 200, someMustRead: false);
    }

    private async Task<byte[]> ValidPartAsync()
    {
        var folder = _dir.File("valid");
        await DatasetAsync.WriteAllAsync(folder, ImagesSchema.Instance, Enumerable.Range(0, 12).Select(i => TestRows.Image(i, payloadBytes: 200)),
            new ParquetPartWriterOptions { RowGroupRows = 5 });
        return File.ReadAllBytes(PartFiles.List(folder).Single());
    }

    private static IEnumerable<FuzzCase> Cases(byte[] part)
    {
        var random = new Random(Seed);
        var footer = new ParquetFooterEditor(part);
        int footerStart = footer.FooterLengthOffset - footer.FooterLength;
        int index = 0;

        for (int i = 0; i < 60; i++)
            yield return new FuzzCase(index++, $"flip {1 + i % 4} bits anywhere", ByteMutator.FlipBits(part, random, 1 + i % 4));
        for (int i = 0; i < 40; i++)
            yield return new FuzzCase(index++, $"flip {1 + i % 2} bits of the footer",
                ByteMutator.FlipBits(part, random, 1 + i % 2, footerStart, footer.FooterLengthOffset));
        for (int i = 0; i < 30; i++)
        {
            int length = random.Next(0, part.Length);
            yield return new FuzzCase(index++, $"truncate to {length} bytes", ByteMutator.Truncate(part, length));
        }
        // A 32-bit field takes the low half of each hostile value (2^63 becomes 0 there).
        foreach (var (name, value) in ByteMutator.HostileValues)
            yield return new FuzzCase(index++, $"footer length = {name}",
                ByteMutator.WithUInt32(part, footer.FooterLengthOffset, value, bigEndian: false));
        // Every integer field of the footer (row counts, offsets, sizes, value counts, schema numbers) is a length
        // or count some reader may size memory from; a seeded sample of them, each set to each hostile value.
        var fields = footer.Fields.OrderBy(_ => random.Next()).Take(30).ToList();
        foreach (var field in fields)
        foreach (var (name, value) in ByteMutator.HostileValues)
            yield return new FuzzCase(index++, $"footer field {field.Path} = {name}", footer.With(field, value));
        // The row counts themselves, always.
        foreach (var field in footer.Fields.Where(f => f.Path == "3" || System.Text.RegularExpressions.Regex.IsMatch(f.Path, @"^4\[\d+\]\.3$")))
        foreach (var (name, value) in ByteMutator.HostileValues.Append(("2^40", 1L << 40)))
            yield return new FuzzCase(index++, $"row count {field.Path} = {name}", footer.With(field, value));
        // Page headers (Thrift structs at each column chunk's data page): their sizes and value counts.
        foreach (var offset in footer.Fields.Where(f => f.Path.EndsWith(".3.9", StringComparison.Ordinal)).Select(f => (int)f.Value).Take(12))
        {
            var page = new ParquetFooterEditor(part, offset);
            foreach (var field in page.Fields.Where(f => f.Path is "2" or "3" or "5.1" or "7.1" or "8.1" or "8.5" or "8.6"))
                yield return new FuzzCase(index++, $"page at {offset}: field {field.Path} = 2^31", page.With(field, 1L << 31));
        }
    }
}
