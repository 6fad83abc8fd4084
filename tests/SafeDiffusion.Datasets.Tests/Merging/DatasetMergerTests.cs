using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Merging;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Merging;

public sealed class DatasetMergerTests : IDisposable
{
    private readonly TempDirectory _dir = new("merge");

    /// <summary>A sharded images folder as a shard run leaves it: images/shard-i-of-n/part-*.parquet.</summary>
    private async Task<string> ShardFolder(string name, int index, int count, IEnumerable<ImageRecord> rows)
    {
        var folder = _dir.File(name);
        await DatasetAsync.WriteAllAsync(folder, ImagesSchema.Instance, rows, new ParquetPartWriterOptions().ForShard(new ShardSpec(index, count)));
        return folder;
    }

    [Fact]
    public async Task Shards_are_unioned_and_identical_duplicates_are_kept_once()
    {
        var all = Enumerable.Range(0, 12).Select(i => TestRows.Image(i)).ToList();
        var a = await ShardFolder("a", 0, 2, all.Take(7));
        // The second shard repeats two rows of the first byte for byte (a shard rerun into another folder, say).
        var b = await ShardFolder("b", 1, 2, all.Skip(5));

        var report = await DatasetMerger.MergeAsync([MergeInput.FromFolder(a), MergeInput.FromFolder(b)], _dir.File("out"), new MergeOptions(ExpectedShards: 2), default);

        var merged = await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, _dir.File("out"));
        Assert.Equal(all.Select(r => r.ImageId), merged.Select(r => r.ImageId).Order(StringComparer.Ordinal));
        foreach (var row in merged) TestRows.AssertSame(all.Single(r => r.ImageId == row.ImageId), row);
        var table = Assert.Single(report.Tables);
        Assert.Equal((12L, 2L, "images"), (table.Rows, table.IdenticalDuplicates, table.Schema));
        Assert.True(report.Shards.Complete);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path, ".*"));
    }

    [Fact]
    public async Task Shards_given_in_either_order_merge_into_the_same_files_in_id_order()
    {
        var all = Enumerable.Range(0, 140).Select(i => TestRows.Image(i, payloadBytes: i < 30 ? 60_000 : 512)).ToList();
        // Each shard holds its rows in the order generation finished them.
        var a = await ShardFolder("a", 0, 2, all.Where(r => r.Seed % 2 == 0).Reverse());
        var b = await ShardFolder("b", 1, 2, all.Where(r => r.Seed % 2 == 1));

        await DatasetMerger.MergeAsync([MergeInput.FromFolder(a), MergeInput.FromFolder(b)], _dir.File("ab"), new MergeOptions(), default);
        // 1.8 MB of rows against 1 MB: this merge sorts in runs spilled to disk.
        await DatasetMerger.MergeAsync([MergeInput.FromFolder(b), MergeInput.FromFolder(a)], _dir.File("ba"), new MergeOptions(SortMemoryMb: 1), default);

        var merged = await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, _dir.File("ab"));
        Assert.Equal(all.Select(r => r.ImageId), merged.Select(r => r.ImageId));
        var ab = Directory.GetFiles(_dir.File("ab"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir.File("ab"), f)).Order().ToList();
        var ba = Directory.GetFiles(_dir.File("ba"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir.File("ba"), f)).Order().ToList();
        Assert.Equal(ab, ba);
        Assert.All(ab, f => Assert.Equal(File.ReadAllBytes(Path.Combine(_dir.File("ab"), f)), File.ReadAllBytes(Path.Combine(_dir.File("ba"), f))));
        // Row groups of the dataset stage's default size (64): 140 rows in three.
        await using var part = await ParquetFileOpener.OpenAsync(Assert.Single(PartFiles.List(_dir.File("ab"))));
        Assert.Equal(3, part.RowGroupCount);
    }

    [Fact]
    public async Task A_duplicate_id_with_different_content_fails_naming_both_files_and_the_columns()
    {
        var a = await ShardFolder("a", 0, 2, [TestRows.Image(1), TestRows.Image(2)]);
        var changed = TestRows.Image(2) with { Png = TestRows.FakePng(64, 48, 512, seed: 99) };
        changed = changed with { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(changed.Png)) };
        var b = await ShardFolder("b", 1, 2, [changed, TestRows.Image(3)]);

        var error = await Assert.ThrowsAsync<InputDataException>(() =>
            DatasetMerger.MergeAsync([MergeInput.FromFolder(a), MergeInput.FromFolder(b)], _dir.File("out"), new MergeOptions(), default));

        Assert.Contains("img-00002", error.Message);
        Assert.Contains(PartFiles.List(a)[0], error.Message);
        Assert.Contains(PartFiles.List(b)[0], error.Message);
        Assert.Contains("image, sha256", error.Message);
        Assert.False(Directory.Exists(_dir.File("out")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path, ".*"));
    }

    [Fact]
    public async Task Missing_shards_are_listed_and_refused_unless_allowed()
    {
        var s0 = await ShardFolder("s0", 0, 4, [TestRows.Image(1)]);
        var s2 = await ShardFolder("s2", 2, 4, [TestRows.Image(2)]);
        MergeInput[] inputs = [MergeInput.FromFolder(s0), MergeInput.FromFolder(s2)];

        var error = await Assert.ThrowsAsync<UsageException>(() => DatasetMerger.MergeAsync(inputs, _dir.File("out"), new MergeOptions(), default));
        Assert.Contains("missing shards 1/4, 3/4", error.Message);
        Assert.False(Directory.Exists(_dir.File("out")));

        var report = await DatasetMerger.MergeAsync(inputs, _dir.File("out"), new MergeOptions(AllowMissingShards: true), default);
        Assert.Equal([1, 3], report.Shards.Missing);
        Assert.Equal(2, report.Tables[0].Rows);
    }

    [Fact]
    public async Task Expecting_another_shard_count_or_mixing_counts_is_refused()
    {
        var s0 = await ShardFolder("s0", 0, 2, [TestRows.Image(1)]);
        var t1 = await ShardFolder("t1", 1, 3, [TestRows.Image(2)]);
        var mixed = await Assert.ThrowsAsync<UsageException>(() =>
            DatasetMerger.MergeAsync([MergeInput.FromFolder(s0), MergeInput.FromFolder(t1)], _dir.File("out"), new MergeOptions(), default));
        Assert.Contains("different shard counts", mixed.Message);
        var expect = await Assert.ThrowsAsync<UsageException>(() =>
            DatasetMerger.MergeAsync([MergeInput.FromFolder(s0)], _dir.File("out"), new MergeOptions(ExpectedShards: 3), default));
        Assert.Contains("--expect 3", expect.Message);
    }

    [Fact]
    public async Task Inputs_of_different_schemas_are_refused()
    {
        var images = await ShardFolder("images", 0, 2, [TestRows.Image(1)]);
        var prompts = _dir.File("prompts");
        await DatasetAsync.WriteAllAsync(prompts, PromptsSchema.Instance, [TestRows.Prompt(1)],
            new ParquetPartWriterOptions().ForShard(new ShardSpec(1, 2)));

        var error = await Assert.ThrowsAsync<InputDataException>(() =>
            DatasetMerger.MergeAsync([MergeInput.FromFolder(images), MergeInput.FromFolder(prompts)], _dir.File("out"), new MergeOptions(), default));
        Assert.Contains("'prompts'", error.Message);
        Assert.Contains("'images'", error.Message);
    }

    [Fact]
    public async Task Split_datasets_merge_per_split_with_a_dataset_manifest_counting_them()
    {
        async Task<string> Dataset(string name, params int[] ids)
        {
            var rows = ids.Select(i => TestRows.Image(i)).ToList();
            await DatasetAsync.WriteAllAsync(_dir.File(name, "train"), ImagesSchema.Instance, rows.Where(r => r.Split == DatasetSplit.Train));
            await DatasetAsync.WriteAllAsync(_dir.File(name, "holdout"), ImagesSchema.Instance, rows.Where(r => r.Split == DatasetSplit.Holdout));
            return _dir.File(name);
        }
        // TestRows: even ids clean, odd harmful; multiples of 5 held out.
        var a = await Dataset("a", 0, 1, 2, 3);
        var b = await Dataset("b", 4, 5, 6, 7, 8);

        var report = await DatasetMerger.MergeAsync([MergeInput.FromFolder(a), MergeInput.FromFolder(b)], _dir.File("out"), new MergeOptions(), default);

        Assert.True(report.DatasetManifestWritten);
        var manifest = DatasetManifest.Read(_dir.File("out", DatasetManifest.FileName));
        // Train: clean 2, 4, 6, 8; harmful 1, 3, 7. Holdout: 0, 5.
        Assert.Equal((4L, 3L, 2L), (manifest.CleanTrainRows, manifest.HarmfulTrainRows, manifest.HoldoutRows));
        Assert.Equal(7, (await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, _dir.File("out", "train"))).Count);
    }

    [Fact]
    public async Task A_non_empty_output_folder_is_refused()
    {
        var a = await ShardFolder("a", 0, 1, [TestRows.Image(1)]);
        Directory.CreateDirectory(_dir.File("out"));
        File.WriteAllText(_dir.File("out", "keep.txt"), "mine");
        var error = await Assert.ThrowsAsync<UsageException>(() =>
            DatasetMerger.MergeAsync([MergeInput.FromFolder(a)], _dir.File("out"), new MergeOptions(), default));
        Assert.Contains("not empty", error.Message);
        Assert.Equal("mine", File.ReadAllText(_dir.File("out", "keep.txt")));
    }

    public void Dispose() => _dir.Dispose();
}
