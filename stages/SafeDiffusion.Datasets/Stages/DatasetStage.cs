using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Stages;

/// <summary>
/// <c>dataset</c>: once every image row is written, assembles the training dataset: train and holdout folders of
/// images Parquet parts (the split was fixed per prompt when the images were made), a dataset.json, and counts by
/// label, split and category in the manifest. Rows are written in image_id order, whatever order generation finished
/// them in, so the same images give the same files in every run (a nightly rerun that changed nothing hashes alike).
/// </summary>
/// <param name="imagesStage">The stage whose image rows it splits.</param>
public sealed class DatasetStage(string imagesStage) : Stage<ImageRecord, DatasetReady, DatasetConfig>
{
    public const string DefaultName = "dataset";

    public override string Name => DefaultName;

    public override string Description => "Train/holdout Parquet dataset of clean (class 1) and harmful (class 2) image rows.";

    public override IReadOnlyList<string> Inputs { get; } = [imagesStage];

    public override IPropagatorBlock<ImageRecord, DatasetReady> Build(StageContext context, DatasetConfig config)
    {
        long seen = 0;
        var output = new BufferBlock<DatasetReady>(new DataflowBlockOptions { CancellationToken = context.Cancellation });
        // Rows arrive as they are generated; the dataset is assembled from the written parts once they all exist.
        var input = new ActionBlock<ImageRecord>(_ => Interlocked.Increment(ref seen),
            new ExecutionDataflowBlockOptions { CancellationToken = context.Cancellation, BoundedCapacity = 64 });
        input.Completion.ContinueWith(async t =>
        {
            try
            {
                if (!t.IsCompletedSuccessfully) throw t.Exception?.GetBaseException() ?? new OperationCanceledException();
                output.Post(await AssembleAsync(context, config, imagesStage, context.Cancellation).ConfigureAwait(false));
                output.Complete();
            }
            catch (Exception e)
            {
                ((IDataflowBlock)output).Fault(e);
            }
        }, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(input, output);
    }

    public override async IAsyncEnumerable<DatasetReady> ReplayAsync(StageContext context, DatasetConfig config,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        yield return DatasetManifest.Locate(context.Run, Name);
    }

    /// <param name="imagesStage">The input stage: its image parts (all of them, resumed ones included) make up the dataset.</param>
    private static async Task<DatasetReady> AssembleAsync(StageContext context, DatasetConfig config, string imagesStage, CancellationToken ct)
    {
        var source = context.Run.StageDirectory(imagesStage);
        var parts = PartFiles.List(source);
        var folder = context.Directory;
        var train = Path.Combine(folder, "train");
        var holdout = Path.Combine(folder, "holdout");
        foreach (var dir in new[] { train, holdout })
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);

        var options = new ParquetPartWriterOptions { RowGroupRows = config.RowGroupRows, RowsPerPart = config.RowsPerPart };
        var sorter = new ExternalMergeSort<ImageRecord>(ImagesSchema.Instance, config.SortMemoryMb * 1024L * 1024L, Path.Combine(folder, ".sort"));
        long clean = 0, harmful = 0, held = 0;
        var byCategory = new SortedDictionary<string, long>(StringComparer.Ordinal);
        using var progress = context.Progress.Start("dataset", parts.Count == 0 ? 0 : await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).CountAsync(source, ct).ConfigureAwait(false), "rows");
        await using (var trainWriter = await ParquetPartWriter<ImageRecord>.OpenAsync(train, ImagesSchema.Instance, options, ct).ConfigureAwait(false))
        await using (var holdoutWriter = await ParquetPartWriter<ImageRecord>.OpenAsync(holdout, ImagesSchema.Instance, options, ct).ConfigureAwait(false))
        {
            if (parts.Count > 0)
            {
                var rows = new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(source, ct);
                await foreach (var row in sorter.SortAsync(rows, ct).ConfigureAwait(false))
                {
                    if (row.Split == DatasetSplit.Holdout)
                    {
                        if (await holdoutWriter.WriteAsync(row, ct).ConfigureAwait(false)) held++;
                    }
                    else if (await trainWriter.WriteAsync(row, ct).ConfigureAwait(false))
                    {
                        if (row.Label == PromptLabel.Clean) clean++; else harmful++;
                    }
                    var key = $"{ContractValues.Text(row.Label)}/{row.Category}";
                    byCategory[key] = byCategory.GetValueOrDefault(key) + 1;
                    progress.Increment();
                }
            }
            await trainWriter.CompleteAsync().ConfigureAwait(false);
            await holdoutWriter.CompleteAsync().ConfigureAwait(false);
        }
        // A shard may hold no harmful prompt at all; the requirement is checked on the merged dataset instead.
        if (config.RequireBothClasses && context.Shard.IsAll && (clean == 0 || harmful == 0))
            throw new PipelineException(
                $"The train split has {clean} clean and {harmful} harmful rows; safety training needs both. " +
                $"Check the {(clean == 0 ? "laion-prompts" : "harmful-prompts")} stage's output (pipeline inspect {context.Run.Directory}/{imagesStage}), " +
                "or set stages.dataset.requireBothClasses: false.");

        var manifest = new DatasetManifest(Path.GetRelativePath(context.Run.Directory, train), Path.GetRelativePath(context.Run.Directory, holdout),
            clean, harmful, held, byCategory);
        var manifestPath = Path.Combine(folder, DatasetManifest.FileName);
        manifest.Write(manifestPath);
        foreach (var part in PartFiles.List(train).Concat(PartFiles.List(holdout))) context.AddArtifact(part, "dataset-parquet");
        context.AddArtifact(manifestPath, "dataset-manifest");
        context.SetMetric("train_clean_rows", clean);
        context.SetMetric("train_harmful_rows", harmful);
        context.SetMetric("holdout_rows", held);
        context.SetMetric("sort_runs_spilled", sorter.RunsSpilled);
        foreach (var (key, count) in byCategory) context.SetMetric($"rows/{key}", count);
        return new DatasetReady(train, holdout, clean, harmful, held);
    }
}
