using System.Globalization;

namespace SafeDiffusion.Datasets.Foreign;

/// <summary>One row of a <see cref="ParquetTableReader"/>: the requested columns' values by position or name.</summary>
public sealed class ParquetTableRow(IReadOnlyList<string> columns, object?[] values)
{
    public IReadOnlyList<string> Columns { get; } = columns;

    /// <summary>The raw value: <see cref="string"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/> or null.</summary>
    public object? this[int index] => values[index];

    public object? this[string column] => values[IndexOf(column)];

    /// <summary>Text as it is; numbers and booleans in invariant form.</summary>
    public string? GetString(int index) => values[index] switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString(),
    };

    /// <summary>An integer; whole doubles and numeric text convert, anything else is null.</summary>
    public long? GetInt64(int index) => values[index] switch
    {
        long l => l,
        double d when Math.Abs(d) < 9.2e18 && d == Math.Floor(d) => (long)d,
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        _ => null,
    };

    /// <summary>A number; integers and numeric text convert, anything else is null.</summary>
    public double? GetDouble(int index) => values[index] switch
    {
        double d => d,
        long l => l,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public string? GetString(string column) => GetString(IndexOf(column));
    public long? GetInt64(string column) => GetInt64(IndexOf(column));
    public double? GetDouble(string column) => GetDouble(IndexOf(column));

    private int IndexOf(string column)
    {
        for (int i = 0; i < Columns.Count; i++)
            if (string.Equals(Columns[i], column, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"Column '{column}' was not requested; requested: {string.Join(", ", Columns)}.", nameof(column));
    }
}
