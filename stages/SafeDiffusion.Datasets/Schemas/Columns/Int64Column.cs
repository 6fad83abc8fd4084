using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas.Columns;

internal sealed class Int64Column<TRow>(string name, Func<TRow, long> value) : RowColumn<TRow>(name, ColumnKind.Int64)
{
    internal override void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash)
    {
        Span<byte> bytes = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes, value(row));
        hash.AppendData(bytes);
    }

    internal override DataField CreateField() => new DataField<long>(Name);

    internal override async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var values = new long[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = value(rows[i]);
        await writer.WriteAsync<long>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
    }

    internal override async ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct)
    {
        var values = new long[rowCount];
        await reader.ReadAsync<long>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }
}
