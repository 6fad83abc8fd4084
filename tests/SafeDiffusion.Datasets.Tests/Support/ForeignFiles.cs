using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Tests.Support;

/// <summary>Parquet files written straight with Parquet.Net, not through the pipeline's writer.</summary>
internal static class ForeignFiles
{
    /// <summary>A plain table someone else made: id, name, score; no pipeline metadata.</summary>
    public static async Task WriteTableAsync(string file, int rows = 3)
    {
        var schema = new ParquetSchema(new DataField<int>("id"), new DataField<string>("name", nullable: false), new DataField<double>("score"));
        await using var fs = File.Create(file);
        await using var writer = await ParquetWriter.CreateAsync(schema, fs);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<int>(schema.DataFields[0], Enumerable.Range(1, rows).ToArray().AsMemory());
        await group.WriteAsync<ReadOnlyMemory<char>>(schema.DataFields[1],
            Enumerable.Range(1, rows).Select(i => $"name-{i}".AsMemory()).ToArray().AsMemory());
        await group.WriteAsync<double>(schema.DataFields[2], Enumerable.Range(1, rows).Select(i => i * 0.5).ToArray().AsMemory());
        group.CompleteValidate();
    }

    /// <summary>One row with the prompts columns and metadata, with a label and class of the caller's choosing.</summary>
    public static async Task WritePromptsLikeAsync(string file, string label, int cls, string version = "1")
    {
        var fields = new DataField[]
        {
            new DataField<string>("prompt_id", nullable: false),
            new DataField<string>("text", nullable: false),
            new DataField<string>("label", nullable: false),
            new DataField<int>("class"),
            new DataField<string>("category", nullable: false),
            new DataField<string>("source", nullable: false),
            new DataField<long>("seed"),
            new DataField<string>("generator", nullable: false),
            new DateTimeDataField("created_utc", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false),
            new DataField<double?>("guidance"),
        };
        var schema = new ParquetSchema(fields);
        await using var fs = File.Create(file);
        await using var writer = await ParquetWriter.CreateAsync(schema, fs);
        writer.CustomMetadata = new Dictionary<string, string> { ["safediffusion.schema"] = "prompts", ["safediffusion.schema_version"] = version };
        using var group = writer.CreateRowGroup();
        async Task Text(int i, string value) => await group.WriteAsync<ReadOnlyMemory<char>>(fields[i], new[] { value.AsMemory() }.AsMemory());
        await Text(0, "p-1");
        await Text(1, "some text");
        await Text(2, label);
        await group.WriteAsync<int>(fields[3], new[] { cls }.AsMemory());
        await Text(4, "cat");
        await Text(5, "laion");
        await group.WriteAsync<long>(fields[6], new[] { 7L }.AsMemory());
        await Text(7, "gen");
        await group.WriteAsync<DateTime>(fields[8], new[] { new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) }.AsMemory());
        await group.WriteAsync<double>(fields[9], new ReadOnlyMemory<double?>([null]));
        group.CompleteValidate();
    }
}
