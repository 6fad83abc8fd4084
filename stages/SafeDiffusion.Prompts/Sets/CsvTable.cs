using System.Globalization;
using System.Runtime.CompilerServices;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>A CSV file with a header row, read record by record with columns looked up by name (case-insensitive).</summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string path, IReadOnlyList<string> header)
    {
        Path = path;
        Header = header;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < header.Count; i++) _columns.TryAdd(header[i].Trim(), i);
    }

    public string Path { get; }
    public IReadOnlyList<string> Header { get; }

    /// <summary>The index of the first of <paramref name="names"/> the header has, or -1.</summary>
    public int Find(params string[] names)
    {
        foreach (var n in names)
            if (_columns.TryGetValue(n, out var i)) return i;
        return -1;
    }

    public int Require(params string[] names)
    {
        var i = Find(names);
        return i >= 0 ? i : throw new InputDataException(Path,
            $"has no '{names[0]}' column{(names.Length > 1 ? $" (nor {string.Join(", ", names.Skip(1))})" : "")}. Header: {string.Join(", ", Header)}.",
            names[0], "Check that the first line is the header row and that the file is the expected prompt set.");
    }

    /// <summary>Opens the file and reads its header, then hands records to <paramref name="read"/>.</summary>
    public static async IAsyncEnumerable<T> ReadAsync<T>(string path, Func<CsvTable, CsvRow, T?> read,
        [EnumeratorCancellation] CancellationToken ct = default) where T : class
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: "Check the path in the config.");
        using var text = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var records = new CsvRecordReader(text, path);
        var header = records.Read() ?? throw new InputDataException(path, "is empty; a header row was expected.");
        var table = new CsvTable(path, header);
        await Task.Yield();
        while (records.Read() is { } fields)
        {
            ct.ThrowIfCancellationRequested();
            if (read(table, new CsvRow(table, fields, records.RecordLine)) is { } item) yield return item;
        }
    }

    /// <summary>One record of a <see cref="CsvTable"/>; typed getters name the file, line and column on bad values.</summary>
    public sealed class CsvRow(CsvTable table, IReadOnlyList<string> fields, int line)
    {
        public int Line { get; } = line;

        public string? Text(int column)
        {
            if (column < 0 || column >= fields.Count) return null;
            var v = fields[column];
            return v.Length == 0 ? null : v;
        }

        public long? Int64(int column)
        {
            var v = Text(column)?.Trim();
            if (v is null) return null;
            if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
            // Exported spreadsheets write whole numbers as 7.0.
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9.2e18) return (long)d;
            throw Bad(column, v, "a whole number");
        }

        public double? Double(int column)
        {
            var v = Text(column)?.Trim();
            if (v is null) return null;
            return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Bad(column, v, "a number");
        }

        private InputDataException Bad(int column, string value, string expected) =>
            new(table.Path, $"line {Line}: '{value}' in column '{table.Header[column]}' is not {expected}.", table.Header[column],
                "Fix or remove that row.");
    }
}
