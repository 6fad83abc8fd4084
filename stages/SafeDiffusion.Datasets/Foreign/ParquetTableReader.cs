using System.Globalization;
using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;

namespace SafeDiffusion.Datasets.Foreign;

/// <summary>
/// Reads chosen top-level columns of any Parquet file written by another tool (LAION metadata parts, DiffusionDB
/// metadata) as rows of plain values: text as <see cref="string"/>, integers as <see cref="long"/>, floating and
/// decimal numbers as <see cref="double"/>, booleans as <see cref="bool"/>, timestamps as ISO 8601 text, binary
/// as UTF-8 text, nulls as null. Column names are matched case-insensitively. Rows stream one row group at a time, so memory follows the
/// row group size, not the file size.
/// </summary>
public sealed class ParquetTableReader : IAsyncDisposable
{
    private readonly ParquetReader _reader;
    private readonly Dictionary<string, DataField> _fields;

    private ParquetTableReader(string path, ParquetReader reader)
    {
        Path = path;
        _reader = reader;
        _fields = reader.Schema.GetDataFields()
            .Where(f => f.Path.Length == 1 && f.MaxRepetitionLevel == 0)
            .GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        Columns = _fields.Values.Select(f => f.Name).ToList();
        RowCount = reader.RowGroups.Sum(g => g.RowCount);
    }

    public string Path { get; }

    /// <summary>Top-level, non-repeated columns, in schema order.</summary>
    public IReadOnlyList<string> Columns { get; }

    public long RowCount { get; }

    /// <summary>Opens a Parquet file written by any tool.</summary>
    /// <exception cref="InputDataException">Missing, not Parquet, cut short, or a footer whose counts do not fit the file.</exception>
    public static async Task<ParquetTableReader> OpenAsync(string path, CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: "Check the input path in the config.");
        // The opener checks the framing and the footer's counts against the file size before anything is sized from them.
        var reader = await ParquetFileOpener.OpenAsync(path, ct).ConfigureAwait(false);
        try
        {
            return new ParquetTableReader(path, reader);
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The file's spelling of the first candidate column present (case-insensitive), or null.</summary>
    public string? FindColumn(params string[] candidates) =>
        candidates.Select(c => _fields.TryGetValue(c, out var f) ? f.Name : null).FirstOrDefault(n => n is not null);

    public bool HasColumn(string name) => _fields.ContainsKey(name);

    /// <summary>
    /// Rows of the named columns, in file order; row values are in the order of <paramref name="columns"/>.
    /// A column the file lacks, or one whose type has no plain value, raises an <see cref="InputDataException"/>.
    /// </summary>
    public async IAsyncEnumerable<ParquetTableRow> ReadRowsAsync(IReadOnlyList<string> columns, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var fields = columns.Select(Field).ToArray();
        var names = columns.ToArray();
        for (int g = 0; g < _reader.RowGroupCount; g++)
        {
            ct.ThrowIfCancellationRequested();
            object?[][] data;
            int rows;
            using (var group = _reader.OpenRowGroupReader(g))
            {
                // Bounded by the footer check at open: at most ParquetFooterCheck.MaxRowsPerGroup of the file's size.
                rows = checked((int)group.RowCount);
                data = new object?[fields.Length][];
                for (int c = 0; c < fields.Length; c++) data[c] = await ReadColumnAsync(group, g, fields[c], rows, ct).ConfigureAwait(false);
            }
            for (int r = 0; r < rows; r++)
            {
                var values = new object?[fields.Length];
                for (int c = 0; c < fields.Length; c++) values[c] = data[c][r];
                yield return new ParquetTableRow(names, values);
            }
        }
    }

    public ValueTask DisposeAsync() => _reader.DisposeAsync();

    private DataField Field(string name)
    {
        if (_fields.TryGetValue(name, out var field)) return field;
        throw new InputDataException(Path, $"has no column '{name}'. Columns: {string.Join(", ", Columns)}.", name,
            "Name an existing column in the config.");
    }

    private async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader group, int groupIndex, DataField field, int rows, CancellationToken ct)
    {
        try
        {
            return await ReadValuesAsync(group, field, rows, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not PipelineException)
        {
            // Parquet.Net reports damaged pages with whatever exception its decoder hits; the user needs the file and column.
            throw new InputDataException(Path, $"row group {groupIndex}, column '{field.Name}' cannot be read ({e.GetType().Name}: {e.Message}); the file is damaged.",
                field.Name, "Copy the file again from its source (re-download it if it was cut short).", e);
        }
    }

    private async Task<object?[]> ReadValuesAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken ct)
    {
        var type = field.ClrType;
        // Parquet.Net 6 reports UTF-8 columns of a file as ReadOnlyMemory<char>, plain binary as ReadOnlyMemory<byte>.
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[rows];
            await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            return values;
        }
        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>))
        {
            // Some writers store text as binary without the UTF-8 annotation; read it as UTF-8 text.
            var values = new byte[]?[rows];
            await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            return values.Select(v => v is null ? null : (object)System.Text.Encoding.UTF8.GetString(v)).ToArray();
        }
        if (type == typeof(int)) return await ReadStruct<int>(group, field, rows, v => (long)v, ct).ConfigureAwait(false);
        if (type == typeof(long)) return await ReadStruct<long>(group, field, rows, v => v, ct).ConfigureAwait(false);
        if (type == typeof(short)) return await ReadStruct<short>(group, field, rows, v => (long)v, ct).ConfigureAwait(false);
        if (type == typeof(sbyte)) return await ReadStruct<sbyte>(group, field, rows, v => (long)v, ct).ConfigureAwait(false);
        if (type == typeof(byte)) return await ReadStruct<byte>(group, field, rows, v => (long)v, ct).ConfigureAwait(false);
        if (type == typeof(ushort)) return await ReadStruct<ushort>(group, field, rows, v => (long)v, ct).ConfigureAwait(false);
        if (type == typeof(uint)) return await ReadStruct<uint>(group, field, rows, v => (long)v, ct).ConfigureAwait(false);
        if (type == typeof(ulong)) return await ReadStruct<ulong>(group, field, rows, v => v > long.MaxValue ? (double)v : (long)v, ct).ConfigureAwait(false);
        if (type == typeof(float)) return await ReadStruct<float>(group, field, rows, v => (double)v, ct).ConfigureAwait(false);
        if (type == typeof(double)) return await ReadStruct<double>(group, field, rows, v => v, ct).ConfigureAwait(false);
        if (type == typeof(decimal)) return await ReadStruct<decimal>(group, field, rows, v => (double)v, ct).ConfigureAwait(false);
        if (type == typeof(bool)) return await ReadStruct<bool>(group, field, rows, v => v, ct).ConfigureAwait(false);
        if (type == typeof(DateTime))
            return await ReadStruct<DateTime>(group, field, rows, v => v.ToString("O", CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        throw new InputDataException(Path, $"column '{field.Name}' holds {type.Name} values, which cannot be read as text or numbers.", field.Name,
            "Use a text or numeric column.");
    }

    private static async Task<object?[]> ReadStruct<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, object> convert, CancellationToken ct)
        where T : struct
    {
        if (field.MaxDefinitionLevel == 0)
        {
            // A required column has no definition levels. Parquet.Net 6.1's nullable read still judges nulls from a
            // pooled, uncleared level buffer, so reused pool memory turns random values into nulls: read plain values.
            var plain = new T[rows];
            await group.ReadAsync<T>(field, plain.AsMemory(), null, ct).ConfigureAwait(false);
            var boxed = new object?[rows];
            for (int i = 0; i < rows; i++) boxed[i] = convert(plain[i]);
            return boxed;
        }
        var values = new T?[rows];
        await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        var result = new object?[rows];
        for (int i = 0; i < rows; i++) result[i] = values[i] is { } v ? convert(v) : null;
        return result;
    }
}
