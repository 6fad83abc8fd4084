namespace SafeDiffusion.Datasets.Merging;

/// <summary>What a merge wrote, per table, and what it found about the inputs.</summary>
/// <param name="Warnings">Things worth knowing that did not stop the merge (a train split missing a class).</param>
public sealed record MergeReport(string OutputFolder, IReadOnlyList<MergedTable> Tables, ShardCoverage Shards, bool DatasetManifestWritten, IReadOnlyList<string> Warnings)
{
    public string Describe()
    {
        var lines = new List<string>();
        foreach (var t in Tables)
            lines.Add($"  {(t.Table.Length == 0 ? "(parts)" : t.Table),-8} {t.Schema} v{t.SchemaVersion}: {t.Rows} row(s) from {t.Files} file(s)" +
                      (t.IdenticalDuplicates == 0 ? "" : $", {t.IdenticalDuplicates} identical duplicate(s) kept once"));
        if (Shards.Count is { } n)
            lines.Add(Shards.Complete
                ? $"  shards: all {n} present{(Shards.Repeated.Count == 0 ? "" : $" (given more than once: {string.Join(", ", Shards.Repeated)})")}"
                : $"  shards: {Shards.DescribeMissing()} - merged anyway (--allow-missing)");
        lines.AddRange(Warnings.Select(w => $"  warning: {w}"));
        return $"merged into {OutputFolder}\n" + string.Join("\n", lines);
    }
}

/// <param name="Table">train, holdout, or "" for a plain folder of parts.</param>
public sealed record MergedTable(string Table, string Schema, int SchemaVersion, long Rows, long IdenticalDuplicates, int Files);
