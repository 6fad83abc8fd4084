namespace SafeDiffusion.Inspection;

/// <summary>One Parquet file of an inspected dataset, from its footer.</summary>
public sealed record InspectedFile(string Path, long Bytes, long Rows, long RowGroups);
