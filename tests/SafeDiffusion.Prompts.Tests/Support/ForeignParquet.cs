using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Prompts.Tests.Support;

/// <summary>
/// Writes Parquet files the way an outside tool would (Parquet.Net directly, not the project's reader), to stand
/// in for LAION and DiffusionDB metadata in tests.
/// </summary>
public static class ForeignParquet
{
    public sealed record Column(DataField Field, Array Values);

    public static Column Of<T>(string name, T[] values) => new(new DataField<T>(name), values);

    public static async Task WriteAsync(string path, int rowGroupSize, params Column[] columns)
    {
        var rows = columns[0].Values.Length;
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray()), stream);
        for (int start = 0; start < rows; start += rowGroupSize)
        {
            var count = Math.Min(rowGroupSize, rows - start);
            using var group = writer.CreateRowGroup();
            foreach (var c in columns) await WriteColumn(group, c, start, count);
        }
    }

    // Matched on the exact array type: the CLR lets a uint[] pass as an int[] in a type pattern.
    private static Task WriteColumn(ParquetRowGroupWriter group, Column c, int start, int count) => c.Values switch
    {
        _ when c.Values.GetType() == typeof(string[]) => group.WriteAsync(c.Field, ((string?[])c.Values).Skip(start).Take(count).ToArray()),
        _ when c.Values.GetType() == typeof(double?[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<double?>((double?[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(double[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<double>((double[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(float[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<float>((float[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(float?[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<float?>((float?[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(long[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<long>((long[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(long?[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<long?>((long?[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(int[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<int>((int[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(uint[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<uint>((uint[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(ushort[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<ushort>((ushort[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(byte[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<byte>((byte[])c.Values, start, count)),
        _ when c.Values.GetType() == typeof(bool[]) => group.WriteAsync(c.Field, new ReadOnlyMemory<bool>((bool[])c.Values, start, count)),
        _ => throw new NotSupportedException(c.Values.GetType().Name),
    };
}
