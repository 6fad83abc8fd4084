using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas.Columns;

internal sealed class Utf8Column<TRow>(string name, Func<TRow, string> value) : RowColumn<TRow>(name, ColumnKind.Utf8)
{
    internal override long MemoryBytes(TRow row) => 24 + 2L * (value(row)?.Length ?? 0);

    internal override void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value(row) ?? "");
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    internal override DataField CreateField() => new DataField<string>(Name, nullable: false);

    internal override async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var values = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(rows.Count);
        try
        {
            for (int i = 0; i < rows.Count; i++)
                values[i] = (value(rows[i]) ?? throw new ArgumentException($"column '{Name}' is not nullable, row {i} has null")).AsMemory();
            await writer.WriteAsync<ReadOnlyMemory<char>>(field, values.AsMemory(0, rows.Count), cancellationToken: ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(values, clearArray: true);
        }
    }

    internal override async ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct)
    {
        var values = new string?[rowCount];
        await reader.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }
}
