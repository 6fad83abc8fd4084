using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas.Columns;

/// <summary>Bytes go to the encoder as the record's own memory: a PNG is never copied before the page is built.</summary>
internal sealed class BinaryColumn<TRow>(string name, Func<TRow, ReadOnlyMemory<byte>> value) : RowColumn<TRow>(name, ColumnKind.Binary)
{
    internal override long MemoryBytes(TRow row) => 24 + value(row).Length;

    internal override void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash)
    {
        var bytes = value(row).Span;
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    internal override DataField CreateField() => new DataField<byte[]>(Name, nullable: false);

    internal override async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var values = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(rows.Count);
        try
        {
            for (int i = 0; i < rows.Count; i++) values[i] = value(rows[i]);
            await writer.WriteAsync<ReadOnlyMemory<byte>>(field, values.AsMemory(0, rows.Count), cancellationToken: ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(values, clearArray: true);
        }
    }

    internal override async ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct)
    {
        var values = new byte[]?[rowCount];
        await reader.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }
}
