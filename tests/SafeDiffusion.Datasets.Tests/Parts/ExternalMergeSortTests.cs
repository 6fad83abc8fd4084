using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Parts;

public sealed class ExternalMergeSortTests : IDisposable
{
    private readonly TempDirectory _dir = new("external-sort");

    public void Dispose() => _dir.Dispose();

    /// <summary>Rows 0..count-1 in a fixed shuffled order (ids img-00000.. sort in index order).</summary>
    private static List<ImageRecord> Shuffled(int count, int payloadBytes = 512)
    {
        var rows = Enumerable.Range(0, count).Select(i => TestRows.Image(i, payloadBytes)).ToList();
        new Random(7).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
        return rows;
    }

    private static async Task<List<ImageRecord>> SortAsync(ExternalMergeSort<ImageRecord> sorter, IEnumerable<ImageRecord> rows)
    {
        var sorted = new List<ImageRecord>();
        await foreach (var row in sorter.SortAsync(rows.ToAsyncEnumerable())) sorted.Add(row);
        return sorted;
    }

    [Fact]
    public async Task Rows_within_the_budget_come_out_in_id_order_without_touching_the_disk()
    {
        var rows = Shuffled(40);
        var sorter = new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, 1 << 20, _dir.File(".sort"));

        var sorted = await SortAsync(sorter, rows);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"img-{i:D5}"), sorted.Select(r => r.ImageId));
        Assert.Equal(0, sorter.RunsSpilled);
        Assert.False(Directory.Exists(_dir.File(".sort")));
    }

    [Fact]
    public async Task Rows_over_the_budget_are_spilled_in_runs_and_merged_back_whole()
    {
        var rows = Shuffled(50, payloadBytes: 1000);
        // A row weighs about 1.6 KB here (the 1,000-byte PNG, ten strings, six numbers), so the 3,000-byte budget is
        // passed at every second row: 25 runs of two, each row crossing the disk and back.
        var sorter = new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, 3000, _dir.File(".sort"));

        var sorted = await SortAsync(sorter, rows);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"img-{i:D5}"), sorted.Select(r => r.ImageId));
        foreach (var row in sorted) TestRows.AssertSame(rows.Single(r => r.ImageId == row.ImageId), row);
        Assert.Equal(25, sorter.RunsSpilled);
        Assert.False(Directory.Exists(_dir.File(".sort")), "the spilled runs should be removed once merged");
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(3000)]
    public async Task The_first_row_of_an_id_is_kept_in_memory_and_across_spilled_runs(long budget)
    {
        var rows = Shuffled(12, payloadBytes: 1000);
        var repeat = rows[2] with { Text = "a later row with the same id" };
        rows.Add(repeat);
        var sorter = new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, budget, _dir.File(".sort"));

        var sorted = await SortAsync(sorter, rows);

        Assert.Equal(12, sorted.Count);
        Assert.Equal(rows[2].Text, sorted.Single(r => r.ImageId == repeat.ImageId).Text);
    }

    [Fact]
    public async Task Two_arrival_orders_give_the_same_sequence()
    {
        var rows = Shuffled(30, payloadBytes: 800);
        var reversed = Enumerable.Reverse(rows).ToList();

        var a = await SortAsync(new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, 4000, _dir.File(".sort-a")), rows);
        var b = await SortAsync(new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, 4000, _dir.File(".sort-b")), reversed);

        Assert.Equal(a.Select(r => r.Sha256), b.Select(r => r.Sha256));
    }

    [Fact]
    public async Task A_spill_folder_left_by_a_killed_sort_is_cleared_before_sorting()
    {
        var spill = _dir.File(".sort");
        await DatasetAsync.WriteAllAsync(Path.Combine(spill, "run-0000"), ImagesSchema.Instance, [TestRows.Image(999)]);
        var sorter = new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, 3000, spill);

        var sorted = await SortAsync(sorter, Shuffled(6, payloadBytes: 1000));

        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"img-{i:D5}"), sorted.Select(r => r.ImageId));
        Assert.False(Directory.Exists(spill));
    }

    [Fact]
    public async Task A_sort_abandoned_half_way_removes_its_runs()
    {
        var spill = _dir.File(".sort");
        var sorter = new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, 3000, spill);

        var firstFew = new List<string>();
        await foreach (var row in sorter.SortAsync(Shuffled(20, payloadBytes: 1000).ToAsyncEnumerable()))
        {
            Assert.True(Directory.Exists(spill), "the runs should be on disk while they are merged");
            firstFew.Add(row.ImageId);
            if (firstFew.Count == 3) break;
        }

        Assert.Equal(["img-00000", "img-00001", "img-00002"], firstFew);
        Assert.False(Directory.Exists(spill));
    }
}
