namespace SafeDiffusion.Inspection;

/// <summary>
/// A query's result as plain values: strings, numbers, <see cref="DateTime"/>, <c>byte[]</c> for binary columns.
/// <see cref="CellFormatter"/> turns a cell into terminal text.
/// </summary>
/// <param name="Types">DuckDB's name for each column's type (VARCHAR, BLOB, BIGINT, ...).</param>
/// <param name="Truncated">More rows matched than were kept.</param>
public sealed record QueryTable(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, IReadOnlyList<object?[]> Rows, bool Truncated)
{
    public int IndexOf(string column) => Columns.ToList().IndexOf(column);
}
