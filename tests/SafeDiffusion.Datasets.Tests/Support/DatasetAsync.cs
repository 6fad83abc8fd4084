using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Tests.Support;

internal static class DatasetAsync
{
    public static async Task<List<T>> ReadAllAsync<T>(IRowSchema<T> schema, string path)
    {
        var rows = new List<T>();
        await foreach (var row in new ParquetPartReader<T>(schema).ReadAsync(path)) rows.Add(row);
        return rows;
    }

    public static async Task WriteAllAsync<T>(string folder, IRowSchema<T> schema, IEnumerable<T> rows, ParquetPartWriterOptions? options = null)
    {
        await using var writer = await ParquetPartWriter<T>.OpenAsync(folder, schema, options);
        foreach (var row in rows) await writer.WriteAsync(row);
        await writer.CompleteAsync();
    }
}
