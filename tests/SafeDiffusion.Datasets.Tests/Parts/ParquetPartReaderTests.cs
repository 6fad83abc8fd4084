using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Parts;

public sealed class ParquetPartReaderTests
{
    [Fact]
    public async Task A_foreign_parquet_file_is_rejected_with_its_name_and_a_hint_to_inspect_it()
    {
        using var dir = new TempDirectory();
        var file = dir.File("someone-elses.parquet");
        await ForeignFiles.WriteTableAsync(file);

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(ImagesSchema.Instance, file));

        Assert.Equal(file, e.FilePath);
        Assert.StartsWith(file, e.Message);
        Assert.Contains("not one this pipeline wrote", e.Message);
        Assert.Contains("pipeline inspect", e.Message);
        Assert.Equal(ExitCodes.InputData, e.ExitCode);
    }

    [Fact]
    public async Task A_truncated_part_is_reported_by_name_as_truncated_with_the_fix()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, ImagesSchema.Instance, Enumerable.Range(0, 10).Select(i => TestRows.Image(i)));
        var part = dir.File("part-00000.parquet");
        var bytes = await File.ReadAllBytesAsync(part);
        await File.WriteAllBytesAsync(part, bytes[..(bytes.Length * 2 / 3)]);

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(ImagesSchema.Instance, dir.Path));

        Assert.Equal(part, e.FilePath);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("rerun", e.Message);
    }

    [Fact]
    public async Task A_file_cut_inside_its_footer_is_reported_as_damaged_not_as_a_crash()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(0, 10).Select(TestRows.Prompt));
        var part = dir.File("part-00000.parquet");
        var bytes = await File.ReadAllBytesAsync(part);
        // Keep the trailing length and magic but blank the footer they point at.
        int footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        Array.Clear(bytes, bytes.Length - 8 - footerLength, footerLength);
        await File.WriteAllBytesAsync(part, bytes);

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path));

        Assert.Equal(part, e.FilePath);
        Assert.Contains("damaged", e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_says_so_with_the_PAR1_magic()
    {
        using var dir = new TempDirectory();
        var file = dir.File("notes.parquet");
        await File.WriteAllTextAsync(file, "prompt_id,text\n1,hello\n");

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, file));

        Assert.Contains(file, e.Message);
        Assert.Contains("not a Parquet file (no PAR1 magic", e.Message);
    }

    [Fact]
    public async Task A_file_from_a_newer_schema_version_asks_for_a_newer_pipeline()
    {
        using var dir = new TempDirectory();
        var file = dir.File("future.parquet");
        await ForeignFiles.WritePromptsLikeAsync(file, "clean", 1, version: "2");

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, file));

        Assert.Contains("version 2", e.Message);
        Assert.Contains("newer pipeline", e.Message);
    }

    [Fact]
    public async Task Parts_still_being_written_are_not_read()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(0, 3).Select(TestRows.Prompt));
        // What a killed writer leaves: a temp name in the AtomicFile convention, holding garbage.
        await File.WriteAllTextAsync(dir.File($".part-00001.parquet.tmp-99999-abcdef12"), "PAR1 half a part");

        var rows = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);

        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task Reading_a_folder_streams_every_shard_and_part_in_name_order()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(0, 5).Select(TestRows.Prompt),
            new ParquetPartWriterOptions { ShardFolder = "shard-1-of-2", RowsPerPart = 2 });
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(5, 3).Select(TestRows.Prompt),
            new ParquetPartWriterOptions { ShardFolder = "shard-0-of-2" });

        var rows = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);

        Assert.Equal(["p-00005", "p-00006", "p-00007", "p-00000", "p-00001", "p-00002", "p-00003", "p-00004"], rows.Select(r => r.PromptId));
    }

    [Fact]
    public async Task Ids_and_counts_come_from_the_id_column_and_footers()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, ImagesSchema.Instance, Enumerable.Range(0, 9).Select(i => TestRows.Image(i)),
            new ParquetPartWriterOptions { RowGroupRows = 2, RowsPerPart = 4 });
        var reader = new ParquetPartReader<Core.Contracts.ImageRecord>(ImagesSchema.Instance);

        var ids = await reader.ReadIdsAsync(dir.Path);

        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"img-{i:D5}").ToHashSet(), ids.ToHashSet());
        Assert.Equal(9, await reader.CountAsync(dir.Path));
    }

    [Fact]
    public async Task A_missing_path_is_an_input_error_naming_it()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("nope");

        var e = await Assert.ThrowsAsync<InputDataException>(() => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, missing));

        Assert.Contains("does not exist", e.Message);
        Assert.Contains(missing, e.Message);
    }
}
