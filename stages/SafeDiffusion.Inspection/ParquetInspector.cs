using System.Text;

namespace SafeDiffusion.Inspection;

/// <summary>
/// Summarises any Parquet file or folder of parts through DuckDB: schema, row count, value counts of the label
/// columns, first rows. Nothing here assumes the pipeline wrote the files.
/// </summary>
public static class ParquetInspector
{
    /// <summary>Columns whose value counts are shown when present.</summary>
    public static IReadOnlyList<string> CountedColumns { get; } = ["label", "class", "category", "split"];

    public const int MaxCountedValues = 20;

    public static DatasetInspection Inspect(DuckDbSession session, int firstRows = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRows);
        var files = FileList(session);
        var columns = session.Describe().Select(c => new InspectedColumn(c.Name, c.Type)).ToList();
        var rowCount = Convert.ToInt64(session.QueryData($"SELECT count(*) FROM {DuckDbSession.DataView}", 1).Rows[0][0],
            System.Globalization.CultureInfo.InvariantCulture);
        var metadata = KeyValueMetadata(session, session.Files[0]);
        var compression = session.QueryData(
                $"SELECT DISTINCT compression FROM parquet_metadata({FileListLiteral(session)}) ORDER BY 1", int.MaxValue)
            .Rows.Select(r => r[0]?.ToString() ?? "").Where(c => c.Length > 0).ToList();
        var counts = new List<ColumnCounts>();
        foreach (var name in CountedColumns)
        {
            if (!columns.Any(c => c.Name == name)) continue;
            var id = DuckDbSession.Identifier(name);
            var table = session.QueryData(
                $"SELECT CAST({id} AS VARCHAR) AS value, count(*) AS n FROM {DuckDbSession.DataView} GROUP BY ALL ORDER BY n DESC, value",
                MaxCountedValues);
            counts.Add(new ColumnCounts(name,
                table.Rows.Select(r => new ValueCount(r[0] as string ?? "null", Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture))).ToList(),
                table.Truncated));
        }
        var first = session.QueryData($"SELECT * FROM {DuckDbSession.DataView} LIMIT {firstRows}", firstRows);
        return new DatasetInspection(session.Path, files, columns, rowCount, metadata, compression, counts, first);
    }

    private static List<InspectedFile> FileList(DuckDbSession session)
    {
        var table = session.QueryData(
            $"SELECT file_name, num_rows, num_row_groups FROM parquet_file_metadata({FileListLiteral(session)})", int.MaxValue);
        var byName = table.Rows.ToDictionary(r => (string)r[0]!, r => (Rows: Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture),
            Groups: Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture)));
        return session.Files.Select(f =>
        {
            var (rows, groups) = byName.GetValueOrDefault(f);
            return new InspectedFile(f, new FileInfo(f).Length, rows, groups);
        }).ToList();
    }

    private static Dictionary<string, string> KeyValueMetadata(DuckDbSession session, string file)
    {
        var table = session.QueryData($"SELECT key, value FROM parquet_kv_metadata({DuckDbSession.Literal(file)})", int.MaxValue);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var key = Text(row[0]);
            if (key is null) continue;
            result[key] = Text(row[1]) ?? "";
        }
        return result;
    }

    private static string? Text(object? value) => value switch
    {
        byte[] b => Encoding.UTF8.GetString(b),
        null => null,
        _ => value.ToString(),
    };

    private static string FileListLiteral(DuckDbSession session) => "[" + string.Join(", ", session.Files.Select(DuckDbSession.Literal)) + "]";
}
