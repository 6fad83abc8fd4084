using Parquet;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Parts;

public sealed class ParquetPartWriterTests
{
    [Fact]
    public async Task Rows_are_cut_into_row_groups_of_the_configured_size_and_parts_of_the_configured_rows()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(0, 23).Select(TestRows.Prompt),
            new ParquetPartWriterOptions { RowGroupRows = 4, RowsPerPart = 10 });

        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // 10 rows in groups of at most 4: 4 + 4 + 2, twice; then the last 3.
        long[] full = [4, 4, 2], last = [3];
        Assert.Equal(full, await RowGroupSizesAsync(dir.File("part-00000.parquet")));
        Assert.Equal(full, await RowGroupSizesAsync(dir.File("part-00001.parquet")));
        Assert.Equal(last, await RowGroupSizesAsync(dir.File("part-00002.parquet")));
    }

    [Fact]
    public async Task A_shard_writes_into_its_shard_folder()
    {
        using var dir = new TempDirectory();
        var options = ParquetPartWriterOptions.Default.ForShard(ShardSpec.Parse("0/4"));
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(0, 2).Select(TestRows.Prompt), options);

        Assert.True(File.Exists(dir.File("shard-0-of-4", "part-00000.parquet")));
        Assert.Null(PartFiles.ShardFolderName(ShardSpec.All));
    }

    [Fact]
    public async Task A_rerun_skips_ids_already_in_the_folder_and_exposes_them_before_writing()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, Enumerable.Range(0, 10).Select(TestRows.Prompt));

        await using (var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance))
        {
            Assert.Equal(10, writer.ExistingIds.Count);
            Assert.True(writer.Contains("p-00003"));
            Assert.False(writer.Contains("p-00012"));
            foreach (var i in Enumerable.Range(0, 15))
                Assert.Equal(i >= 10, await writer.WriteAsync(TestRows.Prompt(i)));
            Assert.Equal(5, writer.RowsWritten);
            Assert.Equal(10, writer.RowsSkipped);
        }

        var rows = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);
        Assert.Equal(15, rows.Count);
        Assert.Equal(15, rows.Select(r => r.PromptId).Distinct().Count());
        // The rerun numbered its part after the existing one instead of replacing it.
        Assert.True(File.Exists(dir.File("part-00001.parquet")));
    }

    [Fact]
    public async Task An_id_written_twice_in_one_session_is_written_once()
    {
        using var dir = new TempDirectory();
        await using (var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance))
        {
            Assert.True(await writer.WriteAsync(TestRows.Prompt(1)));
            Assert.False(await writer.WriteAsync(TestRows.Prompt(1)));
            Assert.True(writer.Contains("p-00001"));
        }

        Assert.Single(await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path));
    }

    [Fact]
    public async Task Full_row_groups_reach_the_disk_under_a_hidden_temp_name_before_the_part_is_finished()
    {
        using var dir = new TempDirectory();
        const int payload = 4096;
        await using var writer = await ParquetPartWriter<ImageRecord>.OpenAsync(dir.Path, ImagesSchema.Instance,
            new ParquetPartWriterOptions { RowGroupRows = 4, RowsPerPart = 1000, Compression = PartCompression.None });

        // Twelve rows fill three groups; starting the third waits for the second, so two are written by now.
        for (int i = 0; i < 12; i++) await writer.WriteAsync(TestRows.Image(i, payload));

        Assert.Empty(PartFiles.List(dir.Path));
        var temp = Assert.Single(Directory.GetFiles(dir.Path));
        Assert.True(AtomicFile.IsTempName(Path.GetFileName(temp)), Path.GetFileName(temp));
        Assert.StartsWith(".part-00000.parquet.tmp-", Path.GetFileName(temp));
        // Uncompressed random payloads: at least the first group's four images are in the file.
        Assert.True(new FileInfo(temp).Length >= 4 * payload, $"temp holds {new FileInfo(temp).Length} bytes");
        Assert.True(writer.RowGroupsWritten >= 2);

        await writer.CompleteAsync();
        Assert.False(File.Exists(temp));
        Assert.Equal(12, await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).CountAsync(dir.Path));
    }

    [Fact]
    public async Task Cancelling_a_wait_still_writes_every_accepted_row_on_dispose()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource();
        int accepted = 0;
        await using (var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance,
                         new ParquetPartWriterOptions { RowGroupRows = 2 }))
        {
            await cts.CancelAsync();
            try
            {
                for (int i = 0; i < 10; i++)
                {
                    await writer.WriteAsync(TestRows.Prompt(i), cts.Token);
                    accepted++;
                }
            }
            catch (OperationCanceledException)
            {
                // The row that hit the cancelled wait was already buffered.
                accepted++;
            }
        }

        var rows = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);
        Assert.Equal(accepted, rows.Count);
        Assert.True(accepted < 10);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
    }

    [Theory]
    [InlineData(PartCompression.None, "UNCOMPRESSED")]
    [InlineData(PartCompression.Snappy, "SNAPPY")]
    [InlineData(PartCompression.Zstd, "ZSTD")]
    public async Task Compression_is_configurable(PartCompression compression, string codec)
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, ImagesSchema.Instance, [TestRows.Image(0)], new ParquetPartWriterOptions { Compression = compression });

        await using var reader = await ParquetReader.CreateAsync(dir.File("part-00000.parquet"));
        Assert.All(reader.Metadata!.RowGroups[0].Columns, c => Assert.Equal(codec, c.MetaData!.Codec.ToString().ToUpperInvariant()));
        Assert.Single(await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, dir.Path));
    }

    [Fact]
    public void Snappy_is_the_default_because_png_bytes_do_not_compress_and_text_columns_still_shrink()
    {
        Assert.Equal(PartCompression.Snappy, ParquetPartWriterOptions.Default.Compression);
    }

    [Fact]
    public async Task A_writer_refuses_a_folder_holding_another_dataset()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, [TestRows.Prompt(0)]);

        var e = await Assert.ThrowsAsync<Core.Errors.InputDataException>(
            () => ParquetPartWriter<ImageRecord>.OpenAsync(dir.Path, ImagesSchema.Instance));

        Assert.Contains("holds a 'prompts' dataset", e.Message);
    }

    [Fact]
    public async Task Completing_without_rows_leaves_no_file()
    {
        using var dir = new TempDirectory();
        await using (var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance))
            await writer.CompleteAsync();

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task A_row_group_that_fails_to_write_surfaces_its_error_keeps_finished_parts_and_leaves_no_temp()
    {
        using var dir = new TempDirectory();
        var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance,
            new ParquetPartWriterOptions { RowGroupRows = 2, RowsPerPart = 4 });
        for (int i = 0; i < 4; i++) await writer.WriteAsync(TestRows.Prompt(i));
        // A null text breaks the contract; the failure happens on the background write of the group.
        await writer.WriteAsync(TestRows.Prompt(4) with { Text = null! });
        await writer.WriteAsync(TestRows.Prompt(5));

        var failure = await Record.ExceptionAsync(async () =>
        {
            for (int i = 6; i < 10; i++) await writer.WriteAsync(TestRows.Prompt(i));
            await writer.CompleteAsync();
        });
        await writer.DisposeAsync();

        Assert.IsType<ArgumentException>(failure);
        Assert.Contains("text", failure.Message);
        Assert.Equal(["p-00000", "p-00001", "p-00002", "p-00003"],
            (await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path)).Select(p => p.PromptId));
        Assert.Empty(Directory.GetFiles(dir.Path, ".*"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await writer.WriteAsync(TestRows.Prompt(11)));
    }

    private static async Task<long[]> RowGroupSizesAsync(string file)
    {
        await using var reader = await ParquetReader.CreateAsync(file);
        return reader.RowGroups.Select(g => g.RowCount).ToArray();
    }
}
