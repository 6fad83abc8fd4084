using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas.Columns;

internal sealed class Int32Column<TRow>(string name, Func<TRow, int> value) : RowColumn<TRow>(name, ColumnKind.Int32)
{
    internal override void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, value(row));
        hash.AppendData(bytes);
    }

    internal override DataField CreateField() => new DataField<int>(Name);

    internal override async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var values = new int[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = value(rows[i]);
        await writer.WriteAsync<int>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
    }

    internal override async ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct)
    {
        var values = new int[rowCount];
        await reader.ReadAsync<int>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }
}
