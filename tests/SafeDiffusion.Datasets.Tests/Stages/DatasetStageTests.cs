using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Stages;

public sealed class DatasetStageTests : IDisposable
{
    private readonly ToyRuns _runs = new("dataset-stage");

    public void Dispose() => _runs.Dispose();

    /// <summary>A run whose images stage wrote <paramref name="images"/> in the given order, then the dataset stage on it.</summary>
    private async Task<(Run Run, DatasetReady Ready)> AssembleAsync(IEnumerable<ImageRecord> images, DatasetConfig config)
    {
        var env = _runs.Create();
        // Small row groups and parts, as generation leaves them: rows in the order the replicas finished them.
        await DatasetAsync.WriteAllAsync(env.Run.StageDirectory("images"), ImagesSchema.Instance, images,
            new ParquetPartWriterOptions { RowGroupRows = 4, RowsPerPart = 10 });

        var block = new DatasetStage(imagesStage: "images").Build(new StageContext(DatasetStage.DefaultName, env, CancellationToken.None), config);
        block.Complete();
        var ready = await block.ReceiveAsync(TimeSpan.FromMinutes(1));
        return (env.Run, ready);
    }

    private static Dictionary<string, byte[]> FilesUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    [Fact]
    public async Task The_same_images_finished_in_another_order_give_the_same_dataset_files_byte_for_byte()
    {
        var images = Enumerable.Range(0, 40).Select(i => TestRows.Image(i, payloadBytes: 100_000)).ToList();
        var shuffled = images.ToList();
        new Random(3).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        // 40 rows of 100 KB against 1 MB: the second run sorts in spilled runs, the first in memory; both must agree.
        var (first, _) = await AssembleAsync(images, new DatasetConfig { RowsPerPart = 16 });
        var (second, ready) = await AssembleAsync(Enumerable.Reverse(shuffled), new DatasetConfig { RowsPerPart = 16, SortMemoryMb = 1 });

        var a = FilesUnder(first.StageDirectory(DatasetStage.DefaultName));
        var b = FilesUnder(second.StageDirectory(DatasetStage.DefaultName));
        Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
        Assert.All(a, f => Assert.True(f.Value.AsSpan().SequenceEqual(b[f.Key]), $"{f.Key} differs between the two runs"));
        Assert.DoesNotContain(a.Keys, k => k.StartsWith(".sort", StringComparison.Ordinal));

        var train = await DatasetAsync.ReadAllAsync(ImagesSchema.Instance, ready.TrainDirectory);
        var expectedTrain = images.Where(r => r.Split == DatasetSplit.Train).Select(r => r.ImageId).Order(StringComparer.Ordinal);
        Assert.Equal(expectedTrain, train.Select(r => r.ImageId));
    }
}
