using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Streams typed records out of a dataset: one file, or every finished part under a folder. Each file's metadata
/// and columns are checked against the schema before a row is returned; a foreign, truncated or damaged file fails
/// with an <see cref="InputDataException"/> naming it. Parts still being written (hidden temp names) are never read.
/// One row group is held in memory at a time.
/// </summary>
public sealed class ParquetPartReader<TRow>(IRowSchema<TRow> schema)
{
    public IRowSchema<TRow> Schema { get; } = schema;

    public async IAsyncEnumerable<TRow> ReadAsync(string fileOrFolder, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var file in PartFiles.List(fileOrFolder))
        {
            await using var reader = await ParquetFileOpener.OpenAsync(file, ct).ConfigureAwait(false);
            var fields = SchemaCheck.Validate(Schema, reader, file);
            long firstRow = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var columns = await ReadGroupAsync(reader, fields, file, g, firstRow, Schema.Columns, ct).ConfigureAwait(false);
                for (int i = 0; i < columns.Count; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    yield return Schema.ReadRow(columns, i);
                }
                firstRow += columns.Count;
            }
        }
    }

    /// <summary>The row ids in every finished part, reading only the id column (a PNG column is never loaded).</summary>
    public async Task<IReadOnlySet<string>> ReadIdsAsync(string fileOrFolder, CancellationToken ct = default)
    {
        var idColumn = Schema.Columns.FirstOrDefault(c => c.Name == Schema.IdColumn && c.Kind == ColumnKind.Utf8)
            ?? throw new InvalidOperationException($"schema '{Schema.Name}' names id column '{Schema.IdColumn}', which is not one of its string columns");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in PartFiles.List(fileOrFolder))
        {
            await using var reader = await ParquetFileOpener.OpenAsync(file, ct).ConfigureAwait(false);
            var fields = SchemaCheck.Validate(Schema, reader, file);
            long firstRow = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                var columns = await ReadGroupAsync(reader, fields, file, g, firstRow, [idColumn], ct).ConfigureAwait(false);
                for (int i = 0; i < columns.Count; i++) ids.Add(columns.Utf8(idColumn.Name, i));
                firstRow += columns.Count;
            }
        }
        return ids;
    }

    /// <summary>Rows in the dataset, from the files' footers (no data is read), after checking each file's schema.</summary>
    public async Task<long> CountAsync(string fileOrFolder, CancellationToken ct = default)
    {
        long rows = 0;
        foreach (var file in PartFiles.List(fileOrFolder))
        {
            await using var reader = await ParquetFileOpener.OpenAsync(file, ct).ConfigureAwait(false);
            SchemaCheck.Validate(Schema, reader, file);
            for (int g = 0; g < reader.RowGroupCount; g++) rows += reader.RowGroups[g].RowCount;
        }
        return rows;
    }

    private static async Task<RowGroupColumns> ReadGroupAsync(
        ParquetReader reader, IReadOnlyDictionary<string, DataField> fields, string file, int group, long firstRow,
        IReadOnlyList<RowColumn<TRow>> columns, CancellationToken ct)
    {
        string? current = null;
        try
        {
            using var rg = reader.OpenRowGroupReader(group);
            // Bounded by ParquetFooterCheck when the file was opened.
            int count = checked((int)rg.RowCount);
            var arrays = new Dictionary<string, Array>(columns.Count, StringComparer.Ordinal);
            foreach (var column in columns)
            {
                current = column.Name;
                arrays[column.Name] = await column.ReadAsync(rg, fields[column.Name], count, ct).ConfigureAwait(false);
            }
            return new RowGroupColumns(file, firstRow, count, arrays);
        }
        catch (Exception e) when (e is not OperationCanceledException and not PipelineException)
        {
            var where = current is null ? $"row group {group}" : $"row group {group}, column '{current}'";
            throw new InputDataException(file, $"{where} cannot be read ({e.GetType().Name}: {e.Message}); the file is damaged.",
                current,
                "Delete it and rerun the stage that wrote it (finished rows elsewhere are kept), or copy it again from its source.", e);
        }
    }
}
