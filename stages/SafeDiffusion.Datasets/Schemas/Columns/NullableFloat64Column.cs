using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas.Columns;

internal sealed class NullableFloat64Column<TRow>(string name, Func<TRow, double?> value) : RowColumn<TRow>(name, ColumnKind.NullableFloat64)
{
    internal override void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash)
    {
        Span<byte> bytes = stackalloc byte[9];
        var v = value(row);
        bytes[0] = v.HasValue ? (byte)1 : (byte)0;
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes[1..], v ?? 0);
        hash.AppendData(bytes);
    }

    internal override DataField CreateField() => new DataField<double?>(Name);

    internal override async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var values = new double?[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = value(rows[i]);
        await writer.WriteAsync<double>(field, new ReadOnlyMemory<double?>(values), cancellationToken: ct).ConfigureAwait(false);
    }

    internal override async ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct)
    {
        var values = new double?[rowCount];
        await reader.ReadAsync<double>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }
}
