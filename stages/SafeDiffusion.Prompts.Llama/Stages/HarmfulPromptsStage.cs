using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Writer;

namespace SafeDiffusion.Prompts.Stages;

/// <summary>
/// <c>harmful-prompts</c>: the LLM writes class-2 prompts per harm category. Records stream downstream as they
/// are kept (image generation starts while the model still writes); they are also written to the run's prompts
/// artifact, and the run report (throughput, drops per reason, prompts per category) goes to the manifest.
/// With a shard, the LLM work is repeated in every shard (it is deterministic for a seed) and only the prompts
/// whose id hashes into the shard are kept, so the shards' union is exactly the unsharded prompt set.
/// </summary>
/// <param name="clipTokenCounterFactory">Builds a CLIP token counter from a tokenizer folder (for
/// <see cref="HarmfulPromptsConfig.ClipTokenizer"/>), e.g. <c>folder => new ClipTokenizer(folder).CountTokens</c>.</param>
/// <param name="domain">When set, the share of kept prompts inside it is reported (metrics <c>in_domain_prompts</c>,
/// <c>in_domain_share</c>); prompts outside it are kept all the same, so the figure shows the writer as it is.</param>
public sealed class HarmfulPromptsStage(IPromptArtifactStore store, Func<string, Func<string, int>>? clipTokenCounterFactory = null,
    IPromptDomain? domain = null)
    : Stage<RunStarted, PromptRecord, HarmfulPromptsConfig>
{
    public const string ArtifactName = "prompts";

    public override string Name => HarmfulPromptWriter.StageName;

    public override string Description => "Harmful prompts written by a GGUF instruction model (LLamaSharp), filtered and deduplicated.";

    public override IPropagatorBlock<RunStarted, PromptRecord> Build(StageContext context, HarmfulPromptsConfig config) =>
        new TransformManyBlock<RunStarted, PromptRecord>(started => GenerateAsync(context, config, started, context.Cancellation),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 64, CancellationToken = context.Cancellation });

    public override IAsyncEnumerable<PromptRecord> ReplayAsync(StageContext context, HarmfulPromptsConfig config, CancellationToken ct) =>
        store.ReadAsync(context, ArtifactName, ct);

    private async IAsyncEnumerable<PromptRecord> GenerateAsync(StageContext context, HarmfulPromptsConfig config, RunStarted started,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var modelPath = await context.Models.ResolveAsync(config.Model, context.Progress, ct).ConfigureAwait(false);
        var summary = GgufValidator.ValidateForTextGeneration(modelPath);
        Func<string, int>? countClipTokens = null;
        if (config.ClipTokenizer is { } tokenizer)
        {
            if (clipTokenCounterFactory is null)
                throw new InvalidOperationException("clipTokenizer is set but the stage was built without a CLIP tokenizer factory.");
            countClipTokens = clipTokenCounterFactory(await context.Models.ResolveAsync(tokenizer, context.Progress, ct).ConfigureAwait(false));
        }

        var offload = config.GpuLayers > 0 && context.Devices.HasGpu;
        await using var lease = await context.LeaseAsync(EstimateMemory(summary, config), offload ? DeviceKind.Cuda : DeviceKind.Cpu)
            .ConfigureAwait(false);
        var runtime = HarmfulPromptWriter.RuntimeOptions(config) with
        {
            GpuLayers = offload ? config.GpuLayers : 0,
            MainGpu = Math.Max(0, lease.Device.Index),
        };
        var model = await Llm.LlamaTextModel.LoadAsync(modelPath, runtime, ct).ConfigureAwait(false);
        HarmfulPromptWriter created;
        try
        {
            created = new HarmfulPromptWriter(model, config, countClipTokens, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        using var writer = created;
        context.SetNote("chat_format", $"{writer.Formatter.Format}: {writer.Formatter.Reason}");
        context.SetNote("generator", model.Generator);

        var run = writer.CreateRun(started.Seed);
        var total = Enumerable.Range(0, config.Categories.Count).Sum(config.TargetFor);
        using var progress = context.Progress.Start(Name, total, "prompts");
        await using var artifact = await store.OpenWriterAsync(context, ArtifactName, ct).ConfigureAwait(false);
        long outside = 0, kept = 0, inDomain = 0;
        await foreach (var record in run.ReadAllAsync(ct).ConfigureAwait(false))
        {
            progress.Increment();
            // Every shard runs the same seeded requests and keeps the prompts whose id hashes into it. Splitting
            // the requests instead would save LLM time but change the prompt set with the shard count: which
            // prompts survive deduplication and the per-category targets is decided over the whole stream.
            if (!context.Shard.Contains(record.PromptId))
            {
                outside++;
                continue;
            }
            kept++;
            if (domain?.Accepts(record.Text) == true) inDomain++;
            await artifact.WriteAsync(record, ct).ConfigureAwait(false);
            yield return record;
        }
        await artifact.CompleteAsync(ct).ConfigureAwait(false);
        foreach (var (metric, value) in run.Report.ToMetrics()) context.SetMetric(metric, value);
        if (!context.Shard.IsAll) context.SetMetric("prompts_outside_shard", outside);
        if (domain is not null && kept > 0)
        {
            context.SetMetric("in_domain_prompts", inDomain);
            context.SetMetric("in_domain_share", (double)inDomain / kept);
            context.Progress.Info(FormattableString.Invariant($"{Name}: {inDomain} of {kept} prompts ({100.0 * inDomain / kept:F1} %) are valid {domain.Name}."));
        }
    }

    /// <summary>Weights plus an upper bound on the KV cache (F16 keys and values for every layer, no GQA saving).</summary>
    internal static ByteSize EstimateMemory(GgufModelSummary summary, HarmfulPromptsConfig config)
    {
        var kv = 2L * 2 * config.ContextSize * summary.BlockCount * summary.EmbeddingLength;
        return new ByteSize(summary.FileLength + kv + (256L << 20));
    }
}
