using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Pipeline.Tests.Support;

namespace SafeDiffusion.Pipeline.Tests.Graphs;

/// <summary>
/// Scale-out end to end: the data graph run as three shards (`--shard i/3`) and merged with `pipeline dataset
/// merge` holds exactly the rows of the unsharded run, byte for byte. It runs alone, away from tests that set libtorch's
/// process-wide thread count (the tiny world's builders do). It failed in CI when the sampler still split batches by
/// the calling thread's torch count, which a pool thread keeps from its first torch call: see
/// StableDiffusionSamplerTests.A_thread_that_holds_one_torch_thread_draws_the_bytes_every_other_thread_draws.
/// </summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class ShardMergeTests : IDisposable
{
    private readonly DataGraphWorkspace _work = new("shard-merge");

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Three_merged_shards_have_the_same_image_ids_and_bytes_as_the_unsharded_run()
    {
        var config = _work.WriteConfig(captions: 4, harmfulPerCategory: 2);
        var store = new RunStore(_work.Runs);

        var (code, _, err) = await _work.PipelineAsync("run", "data", "--config", config);
        Assert.True(code == 0, err);
        var whole = store.ReadPointer(RunStore.Latest)!;
        var shardRuns = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            (code, _, err) = await _work.PipelineAsync("run", "data", "--config", config, "--shard", $"{i}/3");
            Assert.True(code == 0, err);
            shardRuns.Add(store.ReadPointer(RunStore.Latest)!);
            Assert.Equal($"{i}/3", store.ReadManifest(shardRuns[^1]).Shard);
        }
        // Shard runs are pieces, not a dataset to consume: latest-data stays on the whole run.
        Assert.Equal(whole, store.ReadPointer(RunStore.LatestData));
        // Resuming a shard's run continues that shard without --shard, and refuses another one.
        (code, _, err) = await _work.PipelineAsync("run", "data", "--config", config, "--run", shardRuns[0]);
        Assert.True(code == 0, err);
        Assert.Contains("up to date", err);
        Assert.Equal(whole, store.ReadPointer(RunStore.LatestData));
        (code, _, err) = await _work.PipelineAsync("run", "data", "--config", config, "--run", shardRuns[0], "--shard", "1/3");
        Assert.Equal(2, code);
        Assert.Contains("is shard 0/3", err);

        var merged = _work.File("merged");
        var (mergeCode, mergeOut, mergeErr) = await _work.PipelineAsync(["dataset", "merge", .. shardRuns, "--out", merged, "--expect", "3", "--runs", _work.Runs]);
        Assert.True(mergeCode == 0, mergeErr);
        Assert.Contains("all 3 present", mergeOut);

        var expected = await ReadDatasetAsync(Path.Combine(store.Root, whole, "dataset"));
        var actual = await ReadDatasetAsync(merged);
        Assert.True(expected.Count >= 5, $"the unsharded run should have 4 clean and 2 harmful images, has {expected.Count}");
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, row) in expected)
        {
            Assert.Equal(row.Split, actual[id].Split);
            Assert.Equal(row.Sha256, actual[id].Sha256);
            Assert.Equal(row.Png, actual[id].Png);
        }
        // Both write their rows in id order: the merged parts are the unsharded run's parts, byte for byte.
        foreach (var split in new[] { "train", "holdout" })
        {
            var wholeParts = PartFiles.List(Path.Combine(store.Root, whole, "dataset", split));
            var mergedParts = PartFiles.List(Path.Combine(merged, split));
            Assert.Equal(wholeParts.Select(Path.GetFileName), mergedParts.Select(Path.GetFileName));
            Assert.All(wholeParts.Zip(mergedParts), p => Assert.Equal(File.ReadAllBytes(p.First), File.ReadAllBytes(p.Second)));
        }
        // Every shard did its own share: no image was generated twice.
        var perShard = new List<IReadOnlySet<string>>();
        foreach (var run in shardRuns)
            perShard.Add((await ReadDatasetAsync(Path.Combine(store.Root, run, "dataset"))).Keys.ToHashSet());
        Assert.Equal(expected.Count, perShard.Sum(s => s.Count));

        // The prompt stages shard too: each shard run keeps only its own prompts, together exactly the unsharded ones.
        foreach (var stage in new[] { "laion-prompts", "harmful-prompts" })
        {
            var wholePrompts = await PromptIdsAsync(Path.Combine(store.Root, whole, stage, "prompts"));
            var shardPrompts = new List<string>();
            foreach (var run in shardRuns) shardPrompts.AddRange(await PromptIdsAsync(Path.Combine(store.Root, run, stage, "prompts")));
            Assert.Equal(wholePrompts.Order(StringComparer.Ordinal), shardPrompts.Order(StringComparer.Ordinal));
        }

        var wholeManifest = DatasetManifest.Read(Path.Combine(store.Root, whole, "dataset", DatasetManifest.FileName));
        var mergedManifest = DatasetManifest.Read(Path.Combine(merged, DatasetManifest.FileName));
        Assert.Equal((wholeManifest.CleanTrainRows, wholeManifest.HarmfulTrainRows, wholeManifest.HoldoutRows),
            (mergedManifest.CleanTrainRows, mergedManifest.HarmfulTrainRows, mergedManifest.HoldoutRows));
        Assert.Equal(wholeManifest.RowsByCategory, mergedManifest.RowsByCategory);

        // Two of three shards: refused, naming the missing one.
        var (partial, _, partialErr) = await _work.PipelineAsync("dataset", "merge", shardRuns[0], shardRuns[2], "--out", _work.File("partial"), "--runs", _work.Runs);
        Assert.Equal(2, partial);
        Assert.Contains("missing shard 1/3", partialErr);
        Assert.False(Directory.Exists(_work.File("partial")));
    }

    private static async Task<Dictionary<string, ImageRecord>> ReadDatasetAsync(string datasetFolder)
    {
        var rows = new Dictionary<string, ImageRecord>(StringComparer.Ordinal);
        var reader = new ParquetPartReader<ImageRecord>(ImagesSchema.Instance);
        foreach (var split in new[] { "train", "holdout" })
        {
            var folder = Path.Combine(datasetFolder, split);
            if (!Directory.Exists(folder)) continue;
            await foreach (var row in reader.ReadAsync(folder)) Assert.True(rows.TryAdd(row.ImageId, row), $"image {row.ImageId} twice in {datasetFolder}");
        }
        return rows;
    }

    private static async Task<List<string>> PromptIdsAsync(string folder) =>
        await new ParquetPartReader<PromptRecord>(PromptsSchema.Instance).ReadAsync(folder).Select(p => p.PromptId).ToListAsync();

    public void Dispose() => _work.Dispose();
}
