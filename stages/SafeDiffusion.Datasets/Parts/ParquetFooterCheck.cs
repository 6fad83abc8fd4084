using Parquet;
using Parquet.Meta;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Checks the counts and offsets a Parquet footer claims against the size of the file before anything is sized
/// from them: readers allocate a row group's arrays from its row count, so a damaged or hostile footer claiming
/// 2^40 rows must end here, as an <see cref="InputDataException"/> naming the file, the row group and the column.
/// </summary>
public static class ParquetFooterCheck
{
    /// <summary>Row groups of up to this many rows are accepted whatever the file size (constant or all-null columns compress to almost nothing).</summary>
    public const long RowsAlwaysAllowed = 1 << 20;

    /// <summary>
    /// The most rows a row group of a file of <paramref name="fileLength"/> bytes may claim: eight per byte (every row
    /// takes at least a bit of some column), at least <see cref="RowsAlwaysAllowed"/>, and never more than an array
    /// can hold.
    /// </summary>
    public static long MaxRowsPerGroup(long fileLength) =>
        Math.Min(Array.MaxLength, Math.Max(RowsAlwaysAllowed, fileLength > long.MaxValue / 8 ? long.MaxValue : fileLength * 8));

    /// <summary>Fails unless every row group's row count and every column chunk's offsets, sizes and value count fit the file.</summary>
    /// <exception cref="InputDataException">A count or offset that cannot be right for a file of <paramref name="fileLength"/> bytes.</exception>
    public static void Validate(string file, long fileLength, ParquetReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long maxRows = MaxRowsPerGroup(fileLength);
        var groups = reader.Metadata?.RowGroups ?? [];
        for (int g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            if (group.NumRows < 0 || group.NumRows > maxRows)
                throw Damaged(file, $"row group {g} claims {group.NumRows} rows, impossible for a file of {fileLength} bytes (at most {maxRows}).", null);
            foreach (var chunk in group.Columns ?? [])
            {
                var meta = chunk.MetaData;
                if (meta is null) continue;
                var column = meta.PathInSchema is { Count: > 0 } path ? string.Join('.', path) : "?";
                string where = $"row group {g}, column '{column}'";
                if (meta.TotalCompressedSize < 0 || meta.TotalCompressedSize > fileLength)
                    throw Damaged(file, $"{where} claims {meta.TotalCompressedSize} bytes of data in a file of {fileLength} bytes.", column);
                if (meta.NumValues < 0 || meta.NumValues > Math.Max(maxRows, fileLength * 8))
                    throw Damaged(file, $"{where} claims {meta.NumValues} values, impossible for a file of {fileLength} bytes.", column);
                // The chunk starts at its dictionary page when it has one (some writers store 0 for "none"), and
                // lies between the leading magic and the footer.
                long start = meta.DictionaryPageOffset is { } dictionary and > 0 ? Math.Min(dictionary, meta.DataPageOffset) : meta.DataPageOffset;
                if (start < 4 || meta.DataPageOffset >= fileLength || meta.TotalCompressedSize > fileLength - start)
                    throw Damaged(file, $"{where}: its data at byte {start} ({meta.TotalCompressedSize} bytes) lies outside the file ({fileLength} bytes).", column);
            }
        }
    }

    private static InputDataException Damaged(string file, string problem, string? column) =>
        new(file, $"is damaged: {problem}", column,
            "Copy the file again from its source, or delete it and rerun the stage that wrote it.");
}
