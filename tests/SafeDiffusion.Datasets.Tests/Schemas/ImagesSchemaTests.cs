using Parquet;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Schemas;

public sealed class ImagesSchemaTests
{
    [Fact]
    public async Task Images_round_trip_with_their_png_bytes_intact()
    {
        using var dir = new TempDirectory();
        var rows = Enumerable.Range(0, 19).Select(i => TestRows.Image(i, payloadBytes: 300 + 97 * i)).ToList();
        await DatasetAsync.WriteAllAsync(dir.Path, ImagesSchema.Instance, rows, new ParquetPartWriterOptions { RowGroupRows = 4 });

        var back = await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, dir.Path);

        Assert.Equal(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++) TestRows.AssertSame(rows[i], back[i]);
        Assert.Contains(back, r => r.Split == Core.Contracts.DatasetSplit.Holdout);
    }

    [Fact]
    public async Task Images_file_has_the_architecture_columns_and_schema_version_metadata()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, ImagesSchema.Instance, [TestRows.Image(3)]);

        await using var reader = await ParquetReader.CreateAsync(dir.File("part-00000.parquet"));
        Assert.Equal(
            ["image_id", "prompt_id", "text", "label", "class", "category", "image", "width", "height", "seed", "steps",
             "guidance", "scheduler", "model_id", "sha256", "split"],
            reader.Schema.DataFields.Select(f => f.Name));
        Assert.Equal("images", reader.CustomMetadata["safediffusion.schema"]);
        Assert.Equal("1", reader.CustomMetadata["safediffusion.schema_version"]);
        Assert.Equal("image_id", reader.CustomMetadata["safediffusion.id_column"]);
        Assert.Equal(typeof(ReadOnlyMemory<byte>), reader.Schema.FindDataField("image").ClrType);
        Assert.Equal(typeof(double), reader.Schema.FindDataField("guidance").ClrType);
        Assert.False(reader.Schema.FindDataField("guidance").IsNullable);
    }

    [Fact]
    public async Task An_images_reader_refuses_a_prompts_folder_and_says_which_dataset_it_found()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, [TestRows.Prompt(1)]);

        var e = await Assert.ThrowsAsync<SafeDiffusion.Core.Errors.InputDataException>(
            () => DatasetAsync.ReadAllAsync(ImagesSchema.Instance, dir.Path));

        Assert.Contains("part-00000.parquet", e.Message);
        Assert.Contains("holds a 'prompts' dataset", e.Message);
        Assert.Contains("'images'", e.Message);
    }
}
