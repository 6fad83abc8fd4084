using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Laion;

namespace SafeDiffusion.Prompts.Stages;

/// <summary>
/// <c>laion-prompts</c>: clean class-1 captions from LAION metadata (or a caption list), filtered and sampled
/// deterministically; written to the run's prompts artifact with the filter counts in the manifest. With a shard,
/// only the sampled captions whose prompt id hashes into it are kept.
/// </summary>
public sealed class LaionPromptsStage(IPromptArtifactStore store) : Stage<RunStarted, PromptRecord, LaionPromptsConfig>
{
    public const string ArtifactName = "prompts";

    public override string Name => LaionCaptionSource.StageName;

    public override string Description => "Clean prompts: LAION captions filtered by safety score, length and language, deduplicated and sampled.";

    public override IPropagatorBlock<RunStarted, PromptRecord> Build(StageContext context, LaionPromptsConfig config) =>
        new TransformManyBlock<RunStarted, PromptRecord>(started => LoadAsync(context, config, started, context.Cancellation),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 64, CancellationToken = context.Cancellation });

    public override IAsyncEnumerable<PromptRecord> ReplayAsync(StageContext context, LaionPromptsConfig config, CancellationToken ct) =>
        store.ReadAsync(context, ArtifactName, ct);

    private async IAsyncEnumerable<PromptRecord> LoadAsync(StageContext context, LaionPromptsConfig config, RunStarted started,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var input = await context.Models.ResolvePathAsync(config.Input, $"stages.{Name}.input", context.Progress, ct).ConfigureAwait(false);
        var result = await new LaionCaptionSource(config with { Input = input }).LoadAsync(started.Seed, ct: ct).ConfigureAwait(false);
        foreach (var (metric, value) in result.Counts.ToMetrics()) context.SetMetric(metric, value);
        context.SetNote("inputs", string.Join(", ", result.Files.Select(Path.GetFileName)));
        await using var artifact = await store.OpenWriterAsync(context, ArtifactName, ct).ConfigureAwait(false);
        // Sampling is over the whole caption set, then each shard keeps the captions whose id hashes into it: the
        // shards together hold exactly the unsharded sample, whatever their number.
        long outside = 0;
        foreach (var record in result.Prompts)
        {
            if (!context.Shard.Contains(record.PromptId))
            {
                outside++;
                continue;
            }
            await artifact.WriteAsync(record, ct).ConfigureAwait(false);
            yield return record;
        }
        if (!context.Shard.IsAll) context.SetMetric("prompts_outside_shard", outside);
        await artifact.CompleteAsync(ct).ConfigureAwait(false);
    }
}
