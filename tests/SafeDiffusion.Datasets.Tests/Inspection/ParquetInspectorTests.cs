using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Inspection;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Inspection;

public sealed class ParquetInspectorTests
{
    [Fact]
    public async Task Inspecting_an_images_folder_gives_schema_rows_counts_and_first_rows()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("images");
        // Images 0..9: even ids clean/laion, odd harmful/hate (see TestRows.Image).
        await DatasetAsync.WriteAllAsync(folder, ImagesSchema.Instance, Enumerable.Range(0, 10).Select(i => TestRows.Image(i)),
            new ParquetPartWriterOptions { RowsPerPart = 4, RowGroupRows = 2 });

        using var session = DuckDbSession.Open(folder);
        var inspection = ParquetInspector.Inspect(session, firstRows: 3);

        Assert.Equal(3, inspection.Files.Count);
        Assert.Equal(10, inspection.RowCount);
        Assert.Equal([4L, 4, 2], inspection.Files.Select(f => f.Rows));
        Assert.Equal([2L, 2, 1], inspection.Files.Select(f => f.RowGroups));
        Assert.Equal("images", inspection.SchemaName);
        Assert.Equal("1", inspection.SchemaVersion);
        Assert.Equal(["SNAPPY"], inspection.Compression);
        Assert.Contains(new InspectedColumn("image", "BLOB"), inspection.Columns);
        Assert.Contains(new InspectedColumn("class", "INTEGER"), inspection.Columns);
        var label = Assert.Single(inspection.Counts, c => c.Column == "label");
        Assert.Equal([new ValueCount("clean", 5), new ValueCount("harmful", 5)], label.Values);
        var cls = Assert.Single(inspection.Counts, c => c.Column == "class");
        Assert.Equal([new ValueCount("1", 5), new ValueCount("2", 5)], cls.Values);
        Assert.Single(inspection.Counts, c => c.Column == "category");
        // Images 0, 5 are holdout (i % 5 == 0).
        Assert.Equal(new ValueCount("holdout", 2), Assert.Single(inspection.Counts, c => c.Column == "split").Values[1]);
        Assert.Equal(3, inspection.FirstRows.Rows.Count);
        Assert.Equal("img-00000", inspection.FirstRows.Rows[0][inspection.FirstRows.IndexOf("image_id")]);
        Assert.IsType<byte[]>(inspection.FirstRows.Rows[0][inspection.FirstRows.IndexOf("image")]);
    }

    [Fact]
    public async Task A_foreign_parquet_file_is_shown_even_though_the_typed_reader_rejects_it()
    {
        using var dir = new TempDirectory();
        var file = dir.File("table.parquet");
        await ForeignFiles.WriteTableAsync(file, rows: 4);

        using var session = DuckDbSession.Open(file);
        var inspection = ParquetInspector.Inspect(session);

        Assert.Equal(4, inspection.RowCount);
        Assert.Null(inspection.SchemaName);
        Assert.Equal(["id", "name", "score"], inspection.Columns.Select(c => c.Name));
        Assert.Empty(inspection.Counts);
        Assert.Equal("name-1", inspection.FirstRows.Rows[0][1]);
    }

    [Fact]
    public async Task Sql_runs_over_the_files_as_the_data_view_and_the_folder_view()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("prompts");
        await DatasetAsync.WriteAllAsync(folder, PromptsSchema.Instance, Enumerable.Range(0, 9).Select(TestRows.Prompt),
            new ParquetPartWriterOptions { RowsPerPart = 4 });
        using var session = DuckDbSession.Open(folder);

        // Prompts 0, 3, 6 are harmful (i % 3 == 0).
        var byLabel = session.QueryUser("SELECT label, count(*) AS n FROM data GROUP BY label ORDER BY label", 100);
        var fromAlias = session.QueryUser("SELECT max(seed) FROM prompts WHERE label = 'harmful'", 100);

        Assert.Equal(["label", "n"], byLabel.Columns);
        Assert.Equal(["clean", "harmful"], byLabel.Rows.Select(r => (string)r[0]!));
        Assert.Equal([6L, 3L], byLabel.Rows.Select(r => Convert.ToInt64(r[1])));
        Assert.Equal("prompts", session.Alias);
        Assert.Equal(1_000_000_007L * 6 + 11, Convert.ToInt64(fromAlias.Rows[0][0]));
    }

    [Fact]
    public async Task A_mistake_in_the_sql_is_a_usage_error_that_names_the_views()
    {
        using var dir = new TempDirectory();
        var file = dir.File("t.parquet");
        await ForeignFiles.WriteTableAsync(file);
        using var session = DuckDbSession.Open(file);

        var e = Assert.Throws<UsageException>(() => session.QueryUser("SELECT nope FROM data", 10));

        Assert.Contains("nope", e.Message);
        Assert.Contains("'data'", e.Message);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public async Task Query_results_beyond_the_row_cap_are_flagged_truncated()
    {
        using var dir = new TempDirectory();
        var file = dir.File("t.parquet");
        await ForeignFiles.WriteTableAsync(file, rows: 7);
        using var session = DuckDbSession.Open(file);

        var table = session.QueryUser("SELECT * FROM data", 5);

        Assert.Equal(5, table.Rows.Count);
        Assert.True(table.Truncated);
    }

    [Fact]
    public async Task Opening_a_non_parquet_file_says_it_has_no_PAR1_magic()
    {
        using var dir = new TempDirectory();
        var file = dir.File("readme.txt");
        await File.WriteAllTextAsync(file, "hello");

        var e = Assert.Throws<InputDataException>(() => DuckDbSession.Open(file));

        Assert.Contains($"{file}: is not a Parquet file (no PAR1 magic", e.Message);
    }

    [Fact]
    public void Opening_an_empty_folder_says_there_are_no_parquet_files()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<InputDataException>(() => DuckDbSession.Open(dir.Path));

        Assert.Contains("holds no Parquet files", e.Message);
    }

    [Fact]
    public async Task Image_cells_are_named_by_image_id_and_captioned_with_label_and_text()
    {
        using var dir = new TempDirectory();
        var rows = Enumerable.Range(0, 6).Select(i => TestRows.Image(i)).ToList();
        await DatasetAsync.WriteAllAsync(dir.Path, ImagesSchema.Instance, rows);
        using var session = DuckDbSession.Open(dir.Path);

        var cells = ImageCellReader.Read(session, limit: 4);

        Assert.Equal(["img-00000", "img-00001", "img-00002", "img-00003"], cells.Select(c => c.Id));
        Assert.Equal("harmful: prompt text 1", cells[1].Caption);
        Assert.Equal(rows[2].Png, cells[2].Bytes);
    }

    [Fact]
    public async Task A_dataset_without_binary_columns_has_no_images_to_export()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, [TestRows.Prompt(0)]);
        using var session = DuckDbSession.Open(dir.Path);

        var e = Assert.Throws<InputDataException>(() => ImageCellReader.Read(session, 3));

        Assert.Contains("no binary column", e.Message);
    }
}
