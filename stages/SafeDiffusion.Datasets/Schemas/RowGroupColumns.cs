using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Datasets.Schemas;

/// <summary>
/// One row group's columns as typed arrays, handed to <see cref="IRowSchema{TRow}.ReadRow"/>. Knows which file and
/// rows it came from so a bad value is reported where it is.
/// </summary>
public sealed class RowGroupColumns
{
    private readonly IReadOnlyDictionary<string, Array> _columns;

    internal RowGroupColumns(string file, long firstRow, int count, IReadOnlyDictionary<string, Array> columns)
    {
        File = file;
        FirstRow = firstRow;
        Count = count;
        _columns = columns;
    }

    public string File { get; }

    /// <summary>Index in the file of this group's first row (0-based).</summary>
    public long FirstRow { get; }

    public int Count { get; }

    public string Utf8(string column, int row) =>
        Get<string?[]>(column)[row] ?? throw Invalid(column, row, "is null, but the schema does not allow nulls.", "Regenerate the file.");

    public int Int32(string column, int row) => Get<int[]>(column)[row];

    public long Int64(string column, int row) => Get<long[]>(column)[row];

    public double Float64(string column, int row) => Get<double[]>(column)[row];

    public double? NullableFloat64(string column, int row) => Get<double?[]>(column)[row];

    public byte[] Binary(string column, int row) =>
        Get<byte[]?[]>(column)[row] ?? throw Invalid(column, row, "is null, but the schema does not allow nulls.", "Regenerate the file.");

    public DateTimeOffset TimestampUtc(string column, int row) => Get<DateTimeOffset[]>(column)[row];

    /// <summary>The error for a value outside the contract: names the file, the column and the 1-based row.</summary>
    public InputDataException Invalid(string column, int row, string problem, string fix) =>
        new(File, $"row {FirstRow + row + 1} {problem}", column, fix);

    private T Get<T>(string column) where T : class
    {
        if (!_columns.TryGetValue(column, out var values))
            throw new ArgumentException($"the schema read no column '{column}'", nameof(column));
        return values as T ?? throw new ArgumentException($"column '{column}' holds {values.GetType().Name}, not {typeof(T).Name}", nameof(column));
    }
}
