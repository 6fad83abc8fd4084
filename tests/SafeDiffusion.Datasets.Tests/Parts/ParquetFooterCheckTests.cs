using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Foreign;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;
using SafeDiffusion.Testing.Fuzzing;

namespace SafeDiffusion.Datasets.Tests.Parts;

public class ParquetFooterCheckTests : IDisposable
{
    // Thrift field ids of the Parquet footer: FileMetaData.row_groups = 4, RowGroup.columns = 1, RowGroup.num_rows = 3,
    // ColumnChunk.meta_data = 3, ColumnMetaData.data_page_offset = 9.
    private const string RowGroup0Rows = "4[0].3";
    private const string TextColumnOffset = "4[0].1[2].3.9";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_laion_footer_claiming_2_pow_40_rows_is_refused_at_open_naming_the_file()
    {
        var path = await LaionFileAsync("laion-part.parquet");
        var editor = new ParquetFooterEditor(File.ReadAllBytes(path));
        Assert.Equal(3, editor.Field(RowGroup0Rows).Value);
        File.WriteAllBytes(path, editor.With(editor.Field(RowGroup0Rows), 1L << 40));

        var e = await Assert.ThrowsAsync<InputDataException>(() => ParquetTableReader.OpenAsync(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("row group 0 claims 1099511627776 rows", e.Message);
        Assert.DoesNotContain("overflow", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_column_whose_data_lies_past_the_end_of_the_file_is_named()
    {
        var path = await LaionFileAsync("laion-part.parquet");
        var editor = new ParquetFooterEditor(File.ReadAllBytes(path));
        File.WriteAllBytes(path, editor.With(editor.Field(TextColumnOffset), int.MaxValue));

        var e = await Assert.ThrowsAsync<InputDataException>(() => ParquetTableReader.OpenAsync(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("column 'TEXT'", e.Message);
        Assert.Equal("TEXT", e.Field);
    }

    [Fact]
    public async Task A_damaged_page_header_is_a_read_error_naming_the_file_and_the_column()
    {
        var path = await LaionFileAsync("laion-part.parquet");
        var bytes = File.ReadAllBytes(path);
        var textPage = (int)new ParquetFooterEditor(bytes).Field(TextColumnOffset).Value;
        bytes.AsSpan(textPage, 6).Fill(0xFF);
        File.WriteAllBytes(path, bytes);
        await using var table = await ParquetTableReader.OpenAsync(path);

        var e = await Assert.ThrowsAsync<InputDataException>(async () =>
        {
            await foreach (var _ in table.ReadRowsAsync(["SAMPLE_ID", "TEXT"])) { }
        });

        Assert.Contains(path, e.Message);
        Assert.Contains("column 'TEXT'", e.Message);
    }

    [Fact]
    public async Task A_pipeline_part_claiming_2_pow_40_rows_is_refused_by_the_part_reader()
    {
        var folder = _dir.File("prompts");
        await DatasetAsync.WriteAllAsync(folder, PromptsSchema.Instance, Enumerable.Range(0, 4).Select(TestRows.Prompt));
        var part = PartFiles.List(folder).Single();
        var editor = new ParquetFooterEditor(File.ReadAllBytes(part));
        File.WriteAllBytes(part, editor.With(editor.Field(RowGroup0Rows), 1L << 40));

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, folder));

        Assert.Contains(part, e.Message);
        Assert.Contains("1099511627776 rows", e.Message);
    }

    [Theory]
    [InlineData(0L, 1L << 20)]
    [InlineData(1000L, 1L << 20)]
    [InlineData(1L << 20, 8L << 20)]
    [InlineData(1L << 40, (long)int.MaxValue)]
    public void Row_groups_may_claim_eight_rows_per_byte_of_file_and_never_more_than_an_array_holds(long fileLength, long maxRows)
    {
        Assert.Equal(Math.Min(maxRows, Array.MaxLength), ParquetFooterCheck.MaxRowsPerGroup(fileLength));
    }

    private async Task<string> LaionFileAsync(string name)
    {
        var path = _dir.File(name);
        await LaionMetadataWriter.WriteAsync(path,
        [
            new LaionMetadataRow(1, "http://a", "a cat on a mat", 640, 480, 0.31, 0.01, 0.1),
            new LaionMetadataRow(2, "http://b", "a dog in a field", 512, 512, 0.29, 0.02, 0.2),
            new LaionMetadataRow(3, "http://c", "a bird", 300, 200, 0.33, 0.03, 0.3),
        ]);
        return path;
    }
}
