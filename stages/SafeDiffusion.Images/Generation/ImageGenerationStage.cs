using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Images.Generation;

/// <summary>
/// <c>images</c>: prompt records in, image rows out. Model replicas (one per leased device) generate batches while
/// PNG encoding runs on parallel CPU workers and one writer appends rows to Parquet parts. Resumable: image ids are
/// stable (prompt, model identity, seed), the folder is marked with the sampling settings, and ids already in the
/// stage's parts are neither generated nor written again; images of prompts it is no longer given are removed. With
/// a shard, only the prompts that hash into it are generated.
/// </summary>
/// <param name="name">The stage's name in its graph.</param>
/// <param name="inputs">The stages whose prompt records it draws.</param>
public sealed class ImageGenerationStage(string name, IReadOnlyList<string> inputs)
    : Stage<PromptRecord, ImageRecord, ImageGenerationConfig>
{
    public const string DefaultName = "images";

    public override string Name { get; } = name;

    public override string Description => "Stable Diffusion txt2img for every prompt (one seed per image), PNG rows in Parquet parts.";

    public override IReadOnlyList<string> Inputs { get; } = inputs;

    public override IPropagatorBlock<PromptRecord, ImageRecord> Build(StageContext context, ImageGenerationConfig config)
    {
        // Prompts are small and the LLM may hold the only GPU while it writes them: never push back on it, or the
        // two stages could wait on each other. Back-pressure applies to the image rows downstream instead.
        var input = new BufferBlock<PromptRecord>(BlockOptions.Unbounded(context.Cancellation));
        var output = new BufferBlock<ImageRecord>(new DataflowBlockOptions { BoundedCapacity = 16, CancellationToken = context.Cancellation });
        var work = new ImageGenerator(context, config, Name).RunAsync(input, output);
        work.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) output.Complete();
            else ((IDataflowBlock)output).Fault(t.Exception?.GetBaseException() ?? new OperationCanceledException());
        }, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(input, output);
    }

    public override IAsyncEnumerable<ImageRecord> ReplayAsync(StageContext context, ImageGenerationConfig config, CancellationToken ct) =>
        new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(context.Directory, ct);

    /// <summary>The folder holding a run's image parts for a stage of this kind.</summary>
    public static string PartsFolder(Core.Runs.Run run, string stageName = DefaultName) => run.StageDirectory(stageName);

    internal static string SettingsHash(ImageGenerationConfig config, string modelId, ShardSpec shard) =>
        FileHash.Sha256(modelId, shard.ToString(), System.Text.Json.JsonSerializer.Serialize(config with { MaxPrompts = 0 }));
}
