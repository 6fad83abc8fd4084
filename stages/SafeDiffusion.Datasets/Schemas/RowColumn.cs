using Parquet;
using Parquet.Schema;
using SafeDiffusion.Datasets.Schemas.Columns;

namespace SafeDiffusion.Datasets.Schemas;

/// <summary>
/// One column of a row schema: its name and type, how to take its value out of a record, and how to read it back.
/// Schemas are lists of these, so the part writer and reader work for any record type without knowing it.
/// </summary>
public abstract class RowColumn<TRow>
{
    private protected RowColumn(string name, ColumnKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public ColumnKind Kind { get; }

    public override string ToString() => $"{Name} ({ColumnKinds.Describe(Kind)})";

    /// <summary>A fresh Parquet field: a field is bound to the one schema it is added to.</summary>
    internal abstract DataField CreateField();

    /// <summary>Writes this column of <paramref name="rows"/> into the row group (columns go in schema order).</summary>
    internal abstract Task WriteAsync(ParquetRowGroupWriter writer, DataField field, IReadOnlyList<TRow> rows, CancellationToken ct);

    /// <summary>
    /// Adds this column's value in <paramref name="row"/> to a content hash, for telling identical duplicate rows from
    /// conflicting ones when datasets are merged. When a row was written (a timestamp) is not part of its content.
    /// </summary>
    internal abstract void AppendContent(TRow row, System.Security.Cryptography.IncrementalHash hash);

    /// <summary>Roughly the bytes this column's value takes in a record held in memory (a sort's budget counts them).</summary>
    internal virtual long MemoryBytes(TRow row) => 8;

    /// <summary>Reads this column of a row group into a typed array of <paramref name="rowCount"/> values.</summary>
    internal abstract ValueTask<Array> ReadAsync(ParquetRowGroupReader reader, DataField field, int rowCount, CancellationToken ct);
}

/// <summary>Builders for <see cref="RowColumn{TRow}"/>: <c>RowColumn.Utf8&lt;PromptRecord&gt;("text", p =&gt; p.Text)</c>.</summary>
public static class RowColumn
{
    public static RowColumn<TRow> Utf8<TRow>(string name, Func<TRow, string> value) => new Utf8Column<TRow>(name, value);

    public static RowColumn<TRow> Int32<TRow>(string name, Func<TRow, int> value) => new Int32Column<TRow>(name, value);

    public static RowColumn<TRow> Int64<TRow>(string name, Func<TRow, long> value) => new Int64Column<TRow>(name, value);

    public static RowColumn<TRow> Float64<TRow>(string name, Func<TRow, double> value) => new Float64Column<TRow>(name, value);

    public static RowColumn<TRow> NullableFloat64<TRow>(string name, Func<TRow, double?> value) => new NullableFloat64Column<TRow>(name, value);

    public static RowColumn<TRow> Binary<TRow>(string name, Func<TRow, ReadOnlyMemory<byte>> value) => new BinaryColumn<TRow>(name, value);

    public static RowColumn<TRow> TimestampUtc<TRow>(string name, Func<TRow, DateTimeOffset> value) => new TimestampUtcColumn<TRow>(name, value);
}
