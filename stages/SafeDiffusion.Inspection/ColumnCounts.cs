namespace SafeDiffusion.Inspection;

/// <summary>Rows per value of one column, most frequent first.</summary>
/// <param name="Truncated">The column has more distinct values than are listed.</param>
public sealed record ColumnCounts(string Column, IReadOnlyList<ValueCount> Values, bool Truncated);
