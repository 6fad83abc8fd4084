using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;

namespace SafeDiffusion.Inspection;

/// <summary>
/// An in-memory DuckDB database with a dataset's Parquet files as a view: always <c>data</c>, and also the folder's
/// (or file's) name when that is a plain identifier, so <c>pipeline inspect runs/x/images --sql "select count(*)
/// from images"</c> works. Works on any Parquet files, not only the pipeline's.
/// </summary>
public sealed partial class DuckDbSession : IDisposable
{
    public const string DataView = "data";

    private readonly DuckDBConnection _connection;

    private DuckDbSession(string path, IReadOnlyList<string> files, DuckDBConnection connection, string? alias)
    {
        Path = path;
        Files = files;
        _connection = connection;
        Alias = alias;
    }

    /// <summary>The path the session was opened on.</summary>
    public string Path { get; }

    public IReadOnlyList<string> Files { get; }

    /// <summary>The second view name, after the folder or file; null when that name is not a plain identifier.</summary>
    public string? Alias { get; }

    /// <summary>
    /// Lists the Parquet files at <paramref name="path"/> (see <see cref="PartFiles.List"/>), checks each is a whole
    /// Parquet file, and exposes them as the view <c>data</c>. Unless <paramref name="unrestricted"/>, the session is
    /// then locked down (<see cref="LockDown"/>): queries read those files and nothing else.
    /// </summary>
    public static DuckDbSession Open(string path, bool unrestricted = false)
    {
        var files = PartFiles.List(path);
        if (files.Count == 0)
            throw new InputDataException(path, "holds no Parquet files (*.parquet).", fix: "Point the command at a .parquet file or a folder of part files.");
        foreach (var file in files) ParquetFileOpener.CheckFraming(file);

        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            connection.Open();
            var list = "[" + string.Join(", ", files.Select(Literal)) + "]";
            var full = System.IO.Path.GetFullPath(path).TrimEnd(System.IO.Path.DirectorySeparatorChar);
            var stem = File.Exists(full) ? System.IO.Path.GetFileNameWithoutExtension(full) : System.IO.Path.GetFileName(full);
            var alias = PlainIdentifier().IsMatch(stem) && !stem.Equals(DataView, StringComparison.OrdinalIgnoreCase) ? stem : null;
            Execute(connection, $"CREATE VIEW {DataView} AS SELECT * FROM read_parquet({list}, union_by_name = true)", path);
            if (alias is not null) Execute(connection, $"CREATE VIEW {Identifier(alias)} AS SELECT * FROM {DataView}", path);
            if (!unrestricted) LockDown(connection, files);
            return new DuckDbSession(path, files, connection, alias);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a query the user wrote. A mistake in it (unknown column, syntax) is a <see cref="UsageException"/> with
    /// DuckDB's message. At most <paramref name="maxRows"/> rows are kept.
    /// </summary>
    public QueryTable QueryUser(string sql, int maxRows)
    {
        try
        {
            return Query(sql, maxRows);
        }
        catch (DuckDBException e)
        {
            throw new UsageException($"--sql: {FirstLines(e.Message)} (the files are the view '{DataView}'" +
                (Alias is null ? "" : $" and '{Alias}'") + "; see `pipeline inspect --help`)", e);
        }
    }

    /// <summary>Runs a query the program built; a failure means the files are unreadable.</summary>
    public QueryTable QueryData(string sql, int maxRows)
    {
        try
        {
            return Query(sql, maxRows);
        }
        catch (DuckDBException e)
        {
            throw new InputDataException(Path, $"cannot be read as Parquet ({FirstLines(e.Message)}).",
                fix: "Check that every file in it is a whole Parquet file.", inner: e);
        }
    }

    /// <summary>The view's columns with DuckDB's type names.</summary>
    public IReadOnlyList<(string Name, string Type)> Describe()
    {
        var table = QueryData($"DESCRIBE {DataView}", int.MaxValue);
        return table.Rows.Select(r => ((string)r[0]!, (string)r[1]!)).ToList();
    }

    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    public void Dispose() => _connection.Dispose();

    private QueryTable Query(string sql, int maxRows)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var types = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetDataTypeName(i).ToUpperInvariant()).ToList();
        var rows = new List<object?[]>();
        bool truncated = false;
        while (reader.Read())
        {
            if (rows.Count >= maxRows)
            {
                truncated = true;
                break;
            }
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Materialize(reader.GetValue(i));
            rows.Add(row);
        }
        return new QueryTable(columns, types, rows, truncated);
    }

    private static object? Materialize(object? value)
    {
        // Blobs come back as streams over DuckDB's memory, which is gone once the reader moves on.
        if (value is not Stream stream) return value;
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private static void Execute(DuckDBConnection connection, string sql, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            command.ExecuteNonQuery();
        }
        catch (DuckDBException e)
        {
            throw new InputDataException(path, $"cannot be read as Parquet ({FirstLines(e.Message)}).",
                fix: "Check that every file in it is a whole Parquet file.", inner: e);
        }
    }

    /// <summary>
    /// After the views exist: the dataset's files stay readable (<c>allowed_paths</c>), every other file, the network
    /// and extension install/load are off, and the configuration is locked so a query cannot turn them back on.
    /// A query over the views works as before; <c>read_text('/etc/passwd')</c>, <c>COPY ... TO</c>, <c>ATTACH</c>
    /// and <c>INSTALL</c> fail with DuckDB's permission error.
    /// </summary>
    private static void LockDown(DuckDBConnection connection, IReadOnlyList<string> files)
    {
        var allowed = "[" + string.Join(", ", files.Select(f => Literal(System.IO.Path.GetFullPath(f)))) + "]";
        foreach (var setting in new[]
        {
            $"SET allowed_paths = {allowed}",
            "SET enable_external_access = false",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            "SET lock_configuration = true",
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = setting;
            command.ExecuteNonQuery();
        }
    }

    private static string FirstLines(string message)
    {
        var sb = new StringBuilder();
        foreach (var line in message.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith("LINE ", StringComparison.Ordinal)) break;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(line.Trim());
        }
        return sb.ToString();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainIdentifier();
}
