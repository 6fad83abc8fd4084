using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Inspection;

/// <summary>What `pipeline inspect` shows about a Parquet file or a folder of parts.</summary>
/// <param name="Metadata">The first file's key-value metadata (the pipeline's schema name and version live here).</param>
/// <param name="Counts">Row counts per value of label, class, category and split, for those columns that exist.</param>
public sealed record DatasetInspection(
    string Path,
    IReadOnlyList<InspectedFile> Files,
    IReadOnlyList<InspectedColumn> Columns,
    long RowCount,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Compression,
    IReadOnlyList<ColumnCounts> Counts,
    QueryTable FirstRows)
{
    public string? SchemaName => Metadata.GetValueOrDefault(SchemaMetadata.NameKey);

    public string? SchemaVersion => Metadata.GetValueOrDefault(SchemaMetadata.VersionKey);

    public long TotalBytes => Files.Sum(f => f.Bytes);
}
