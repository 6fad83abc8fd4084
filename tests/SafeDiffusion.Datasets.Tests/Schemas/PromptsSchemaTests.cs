using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Schemas;

public sealed class PromptsSchemaTests
{
    [Fact]
    public async Task Prompts_round_trip_through_a_part_file_field_for_field()
    {
        using var dir = new TempDirectory();
        var rows = Enumerable.Range(0, 25).Select(TestRows.Prompt).ToList();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, rows, new ParquetPartWriterOptions { RowGroupRows = 7 });

        var back = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);

        Assert.Equal(rows, back);
        Assert.Contains(back, p => p.Guidance is null);
        Assert.Contains(back, p => p.Guidance == 8.5);
    }

    [Fact]
    public async Task Prompts_file_has_the_architecture_columns_and_schema_version_metadata()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, [TestRows.Prompt(1)]);

        await using var reader = await ParquetReader.CreateAsync(dir.File("part-00000.parquet"));
        // Column list from docs/architecture.md plus the contract's nullable guidance.
        Assert.Equal(
            ["prompt_id", "text", "label", "class", "category", "source", "seed", "generator", "created_utc", "guidance"],
            reader.Schema.DataFields.Select(f => f.Name));
        Assert.Equal("prompts", reader.CustomMetadata["safediffusion.schema"]);
        Assert.Equal("1", reader.CustomMetadata["safediffusion.schema_version"]);
        Assert.Equal(typeof(int), reader.Schema.FindDataField("class").ClrType);
        Assert.Equal(typeof(long), reader.Schema.FindDataField("seed").ClrType);
        Assert.True(reader.Schema.FindDataField("guidance").IsNullable);
        Assert.False(reader.Schema.FindDataField("text").IsNullable);
        Assert.IsType<DateTimeDataField>(reader.Schema.FindDataField("created_utc"));
    }

    [Fact]
    public async Task Label_is_stored_as_a_word_and_class_as_its_number()
    {
        using var dir = new TempDirectory();
        await DatasetAsync.WriteAllAsync(dir.Path, PromptsSchema.Instance, [TestRows.Prompt(0), TestRows.Prompt(1)]);

        await using var reader = await ParquetReader.CreateAsync(dir.File("part-00000.parquet"));
        using var group = reader.OpenRowGroupReader(0);
        var labels = new string?[2];
        await group.ReadAsync(reader.Schema.FindDataField("label"), labels.AsMemory());
        var classes = new int[2];
        await group.ReadAsync<int>(reader.Schema.FindDataField("class"), classes.AsMemory());

        // Prompt 0 is harmful (class 2 in the paper), prompt 1 clean (class 1).
        Assert.Equal(new string?[] { "harmful", "clean" }, labels);
        Assert.Equal([2, 1], classes);
    }

    [Fact]
    public async Task A_label_outside_clean_and_harmful_is_reported_with_file_row_and_column()
    {
        using var dir = new TempDirectory();
        var file = dir.File("bad.parquet");
        await ForeignFiles.WritePromptsLikeAsync(file, label: "spicy", cls: 2);

        var e = await Assert.ThrowsAsync<SafeDiffusion.Core.Errors.InputDataException>(
            () => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, file));

        Assert.Contains(file, e.Message);
        Assert.Contains("row 1", e.Message);
        Assert.Equal("label", e.Field);
        Assert.Contains("'spicy'", e.Message);
    }

    [Fact]
    public async Task A_class_that_disagrees_with_the_label_is_rejected()
    {
        using var dir = new TempDirectory();
        var file = dir.File("bad.parquet");
        await ForeignFiles.WritePromptsLikeAsync(file, label: "clean", cls: 2);

        var e = await Assert.ThrowsAsync<SafeDiffusion.Core.Errors.InputDataException>(
            () => DatasetAsync.ReadAllAsync(PromptsSchema.Instance, file));

        Assert.Equal("class", e.Field);
    }

    [Fact]
    public void Contract_values_are_lower_case_words()
    {
        Assert.Equal("clean", ContractValues.Text(PromptLabel.Clean));
        Assert.Equal("harmful", ContractValues.Text(PromptLabel.Harmful));
        Assert.Equal("train", ContractValues.Text(DatasetSplit.Train));
        Assert.Equal("holdout", ContractValues.Text(DatasetSplit.Holdout));
        Assert.False(ContractValues.TryParseLabel("Clean", out _));
    }
}
