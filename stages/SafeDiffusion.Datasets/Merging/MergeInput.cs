using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;

namespace SafeDiffusion.Datasets.Merging;

/// <summary>
/// One thing to merge: a run's dataset or a dataset folder, as named tables (<c>train</c> and <c>holdout</c>, or a
/// single unnamed table), and the shards it holds.
/// </summary>
/// <param name="Name">How messages name it (a run id or a path).</param>
/// <param name="Tables">Table name to folder (or file); the unnamed table is "".</param>
/// <param name="Shards">The shards it holds: a sharded run's own, or the shard-i-of-N folders found in it.</param>
public sealed record MergeInput(string Name, IReadOnlyDictionary<string, string> Tables, IReadOnlyList<ShardSpec> Shards)
{
    /// <summary>
    /// A folder: a split dataset (with <c>train/</c> and <c>holdout/</c>), or a folder of parts (possibly in shard
    /// folders), or one Parquet file. Shards come from shard-i-of-N folder names in it, or its own name.
    /// </summary>
    public static MergeInput FromFolder(string path)
    {
        var full = Path.GetFullPath(path);
        Dictionary<string, string> tables;
        if (Directory.Exists(Path.Combine(full, "train")) && Directory.Exists(Path.Combine(full, "holdout")))
            tables = new() { ["train"] = Path.Combine(full, "train"), ["holdout"] = Path.Combine(full, "holdout") };
        else
            tables = new() { [""] = full };
        var shards = new List<ShardSpec>();
        if (PartFiles.TryParseShardFolderName(Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), out var own)) shards.Add(own);
        foreach (var folder in tables.Values.Where(Directory.Exists))
        foreach (var sub in Directory.EnumerateDirectories(folder))
            if (PartFiles.TryParseShardFolderName(Path.GetFileName(sub), out var shard) && !shards.Contains(shard))
                shards.Add(shard);
        return new MergeInput(path, tables, shards);
    }
}
