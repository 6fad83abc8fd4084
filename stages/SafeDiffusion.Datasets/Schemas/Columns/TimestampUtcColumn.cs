using Parquet;
using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas.Columns;

/// <summary>
/// Parquet TIMESTAMP(MICROS, UTC): every Parquet reader (DuckDB, Arrow, Spark) shows it as an instant. Sub-microsecond
/// ticks do not survive the round trip.
/// </summary>
internal sealed class TimestampUtcColumn<TRow>(string name, Func<TRow, DateTimeOffset> value) : RowColumn<TRow>(name, ColumnKind.TimestampUtc)
{
    // When the row was written differs between two runs that produced the same row; it is not content.
    internal override void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash) { }

    internal override DataField CreateField() =>
        new DateTimeDataField(Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);

    internal override async Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct)
    {
        var values = new DateTime[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = value(rows[i]).UtcDateTime;
        await writer.WriteAsync<DateTime>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
    }

    internal override async ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct)
    {
        var raw = new DateTime[rowCount];
        await reader.ReadAsync<DateTime>(field, raw.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        var values = new DateTimeOffset[rowCount];
        for (int i = 0; i < rowCount; i++) values[i] = new DateTimeOffset(DateTime.SpecifyKind(raw[i], DateTimeKind.Utc));
        return values;
    }
}
