using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Datasets.Merging;

/// <summary>Which shards of 0..N-1 the inputs hold, which are missing, and which appear more than once.</summary>
public sealed record ShardCoverage(int? Count, IReadOnlyList<int> Present, IReadOnlyList<int> Missing, IReadOnlyList<int> Repeated)
{
    public bool Complete => Missing.Count == 0;

    public static ShardCoverage Of(IReadOnlyList<MergeInput> inputs, int? expected)
    {
        var sharded = inputs.SelectMany(i => i.Shards.Select(s => (Input: i.Name, Shard: s))).ToList();
        if (sharded.Count == 0)
        {
            if (expected is { } n)
                throw new UsageException(
                    $"--expect {n}: none of the inputs says which shard it is (no sharded run manifest, no shard-i-of-N folder), so coverage cannot be checked.");
            return new ShardCoverage(null, [], [], []);
        }
        var counts = sharded.Select(s => s.Shard.Count).Distinct().ToList();
        if (counts.Count > 1)
            throw new UsageException(
                "The inputs come from different shard counts: " +
                string.Join("; ", sharded.GroupBy(s => s.Shard.Count).Select(g => $"{g.Key} ({string.Join(", ", g.Select(s => $"{s.Input} is {s.Shard}"))})")) +
                ". Merge shards of one job only.");
        var count = counts[0];
        if (expected is { } want && want != count)
            throw new UsageException($"--expect {want}, but the inputs are shards of {count} ({string.Join(", ", sharded.Select(s => $"{s.Input} is {s.Shard}"))}).");
        var present = sharded.Select(s => s.Shard.Index).Distinct().Order().ToList();
        var missing = Enumerable.Range(0, count).Except(present).ToList();
        var repeated = sharded.GroupBy(s => s.Shard.Index).Where(g => g.Count() > 1).Select(g => g.Key).Order().ToList();
        return new ShardCoverage(count, present, missing, repeated);
    }

    public string DescribeMissing() =>
        $"missing shard{(Missing.Count == 1 ? "" : "s")} {string.Join(", ", Missing.Select(i => new ShardSpec(i, Count!.Value).ToString()))} " +
        $"(have {string.Join(", ", Present.Select(i => new ShardSpec(i, Count!.Value).ToString()))})";
}
