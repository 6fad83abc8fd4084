using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Foreign;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Prompts.Tests.Foreign;

public class ParquetTableReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Named_columns_read_case_insensitively_as_plain_values_across_row_groups()
    {
        var path = _dir.File("table.parquet");
        await ForeignParquet.WriteAsync(path, rowGroupSize: 2,
            ForeignParquet.Of("TEXT", new string?[] { "a cat", null, "a dog", "a bird", "a fish" }),
            ForeignParquet.Of("punsafe", new double?[] { 0.5, 0.01, null, 0.2, 0.9 }),
            ForeignParquet.Of("WIDTH", new long[] { 640, 512, 1024, 300, 77 }),
            ForeignParquet.Of("cfg", new float[] { 7.5f, 8, 1, 2, 3 }),
            ForeignParquet.Of("seed", new uint[] { 4_000_000_000, 1, 2, 3, 4 }),
            ForeignParquet.Of("sampler", new byte[] { 1, 8, 9, 2, 3 }),
            ForeignParquet.Of("nsfw", new bool[] { true, false, false, true, false }));

        await using var table = await ParquetTableReader.OpenAsync(path);
        Assert.Equal(5, table.RowCount);
        Assert.Equal("TEXT", table.FindColumn("caption", "text"));
        Assert.Equal("WIDTH", table.FindColumn("width"));
        Assert.Null(table.FindColumn("HEIGHT"));

        var rows = new List<ParquetTableRow>();
        await foreach (var row in table.ReadRowsAsync(["text", "PUNSAFE", "width", "cfg", "seed", "sampler", "nsfw"])) rows.Add(row);

        Assert.Equal(5, rows.Count);
        Assert.Equal(new[] { "a cat", null, "a dog", "a bird", "a fish" }, rows.Select(r => r.GetString(0)));
        Assert.Equal(new double?[] { 0.5, 0.01, null, 0.2, 0.9 }, rows.Select(r => r.GetDouble(1)));
        Assert.Equal(new long?[] { 640, 512, 1024, 300, 77 }, rows.Select(r => r.GetInt64("WIDTH")));
        Assert.Equal(7.5, rows[0].GetDouble(3));
        Assert.Equal(4_000_000_000L, rows[0][4]);
        Assert.Equal(8L, rows[1][5]);
        Assert.Equal(true, rows[3][6]);
    }

    [Fact]
    public async Task Required_numeric_columns_never_read_as_null_whatever_the_array_pool_holds()
    {
        var path = _dir.File("required.parquet");
        var widths = Enumerable.Range(0, 300).Select(i => (long)i).ToArray();
        var scores = Enumerable.Range(0, 300).Select(i => i / 300.0).ToArray();
        await ForeignParquet.WriteAsync(path, 300, ForeignParquet.Of("WIDTH", widths), ForeignParquet.Of("punsafe", scores));
        // Parquet.Net rents its level buffers from the shared pool without clearing them. Leave the negative garbage
        // a busy process leaves there before each read (the second round reuses the first round's buffers too).
        for (int round = 0; round < 4; round++)
        {
            var rented = System.Buffers.ArrayPool<int>.Shared.Rent(widths.Length);
            Array.Fill(rented, -1);
            System.Buffers.ArrayPool<int>.Shared.Return(rented);

            await using var table = await ParquetTableReader.OpenAsync(path);
            var rows = new List<ParquetTableRow>();
            await foreach (var row in table.ReadRowsAsync(["WIDTH", "punsafe"])) rows.Add(row);
            Assert.Equal(widths.Select(w => (long?)w), rows.Select(r => r.GetInt64(0)));
            Assert.Equal(scores.Select(s => (double?)s), rows.Select(r => r.GetDouble(1)));
        }
    }

    [Fact]
    public async Task A_missing_column_is_an_input_error_listing_the_columns()
    {
        var path = _dir.File("table.parquet");
        await ForeignParquet.WriteAsync(path, 10, ForeignParquet.Of("caption", new string?[] { "x" }));
        await using var table = await ParquetTableReader.OpenAsync(path);

        var e = await Assert.ThrowsAsync<InputDataException>(async () =>
        {
            await foreach (var _ in table.ReadRowsAsync(["TEXT"])) { }
        });
        Assert.Equal("TEXT", e.Field);
        Assert.Contains("caption", e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_an_input_error()
    {
        var path = _dir.File("not.parquet");
        File.WriteAllText(path, "TEXT,punsafe\na cat,0.1\n");
        var e = await Assert.ThrowsAsync<InputDataException>(() => ParquetTableReader.OpenAsync(path));
        Assert.Contains("is not a Parquet file", e.Message);
        await Assert.ThrowsAsync<InputDataException>(() => ParquetTableReader.OpenAsync(_dir.File("missing.parquet")));
    }
}
