namespace SafeDiffusion.Datasets.Merging;

/// <summary>How strict a merge is about shards.</summary>
/// <param name="ExpectedShards">The shard count the inputs must cover (0..N-1); null takes it from the inputs.</param>
/// <param name="AllowMissingShards">Merge what is there even when shards are missing (they are still reported).</param>
/// <param name="SortMemoryMb">Memory for ordering the merged rows by id; beyond it, sorted runs are spilled to disk.</param>
public sealed record MergeOptions(int? ExpectedShards = null, bool AllowMissingShards = false, int SortMemoryMb = 512);
