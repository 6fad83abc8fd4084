using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>How <see cref="ParquetPartWriter{TRow}"/> cuts rows into row groups and part files.</summary>
/// <remarks>
/// The writer holds at most two row groups of records (one filling while the previous one is encoded), so
/// <see cref="RowGroupRows"/> times the row size bounds its memory: 128 rows of 64 KiB PNGs is 8 MiB per group.
/// </remarks>
public sealed record ParquetPartWriterOptions
{
    /// <summary>Rows per row group: the unit written to disk and the unit a reader loads at once.</summary>
    public int RowGroupRows { get; init; } = 128;

    /// <summary>Rows per part file; a part becomes visible (renamed) when it is full or the writer completes.</summary>
    public int RowsPerPart { get; init; } = 4096;

    public PartCompression Compression { get; init; } = PartCompression.Snappy;

    /// <summary>Sub-folder of the dataset folder this writer puts its parts in (<c>shard-0-of-4</c>), or null.</summary>
    public string? ShardFolder { get; init; }

    public static ParquetPartWriterOptions Default { get; } = new();

    public ParquetPartWriterOptions ForShard(ShardSpec shard) => this with { ShardFolder = PartFiles.ShardFolderName(shard) };

    internal void Validate()
    {
        if (RowGroupRows < 1) throw new ArgumentOutOfRangeException(nameof(RowGroupRows), RowGroupRows, "must be at least 1");
        if (RowsPerPart < 1) throw new ArgumentOutOfRangeException(nameof(RowsPerPart), RowsPerPart, "must be at least 1");
        if (ShardFolder is { } s && (s.Length == 0 || s.StartsWith('.') || s.IndexOfAny(['/', '\\']) >= 0 || s == ".."))
            throw new ArgumentException($"'{s}' is not a plain folder name", nameof(ShardFolder));
    }
}
