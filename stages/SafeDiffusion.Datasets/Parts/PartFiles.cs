using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// How a dataset folder is laid out: finished parts named <c>part-00000.parquet</c>, optionally inside a shard
/// folder (<c>shard-0-of-4/part-00003.parquet</c>); parts still being written carry a hidden temp name that no
/// reader lists.
/// </summary>
public static class PartFiles
{
    public const string Extension = ".parquet";
    private const string Prefix = "part-";

    public static string PartName(int index) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{index:D5}{Extension}");

    /// <summary>The part index in a name like <c>part-00042.parquet</c>.</summary>
    public static bool TryParsePartIndex(string fileName, out int index)
    {
        index = -1;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal))
            return false;
        var digits = fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Extension.Length);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>The sub-folder a shard writes into: <c>shard-0-of-4</c>; null for the whole set (no sub-folder).</summary>
    public static string? ShardFolderName(ShardSpec shard) =>
        shard.IsAll ? null : string.Create(CultureInfo.InvariantCulture, $"shard-{shard.Index}-of-{shard.Count}");

    /// <summary>The shard a folder named like <c>shard-2-of-4</c> holds.</summary>
    public static bool TryParseShardFolderName(string folderName, out ShardSpec shard)
    {
        shard = ShardSpec.All;
        var parts = folderName.Split('-');
        if (parts is not ["shard", var i, "of", var n]
            || !int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index >= count)
            return false;
        shard = new ShardSpec(index, count);
        return true;
    }

    /// <summary>
    /// The Parquet files at <paramref name="path"/>: the file itself, or every finished <c>*.parquet</c> under the
    /// folder (shard folders included), in a stable order. Hidden names, which include parts still being written,
    /// are skipped.
    /// </summary>
    public static IReadOnlyList<string> List(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return [full];
        if (!Directory.Exists(full))
            throw new InputDataException(path, "does not exist.", fix: "Check the path: it should be a Parquet file or a folder of part files.");
        return Directory.EnumerateFiles(full, "*" + Extension, SearchOption.AllDirectories)
            .Where(f => !IsHidden(Path.GetRelativePath(full, f)))
            .OrderBy(f => Path.GetRelativePath(full, f), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A dot-file or a file in a dot-folder, e.g. a writer's temp (<see cref="AtomicFile.IsTempName"/>).</summary>
    private static bool IsHidden(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(p => p.StartsWith('.'));
}
