using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Evaluation.Report;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// <c>seeds</c>: gathers the evaluations of the experiment's seed copies (one per root seed of a run over several
/// seeds) into <c>report/seeds.md</c> and <c>report/seeds.json</c>: each arm's harmful rate across seeds (mean,
/// range, sample SD, and pooled with its Wilson interval), the quality figures across seeds, each seed's claim
/// verdict, and the verdict across seeds, which holds only when the claim holds in every seed.
/// </summary>
/// <param name="seeds">Each copy's name (<c>seed-2</c>), root seed and evaluation stage, in seed order.</param>
public sealed class SeedSummaryStage(IReadOnlyList<(string Name, long Seed, string EvaluateStage)> seeds)
    : Stage<EvaluationResult, SeedSummaryResult, SeedSummaryConfig>
{
    public const string DefaultName = "seeds";
    public const string MarkdownFileName = "seeds.md";
    public const string JsonFileName = "seeds.json";

    public override string Name => DefaultName;

    public override string Description => "The experiment across seeds: mean, spread and pooled interval per arm, and a verdict that needs every seed.";

    public override IReadOnlyList<string> Inputs { get; } = seeds.Select(s => s.EvaluateStage).ToList();

    public override IPropagatorBlock<EvaluationResult, SeedSummaryResult> Build(StageContext context, SeedSummaryConfig config) =>
        GatheringBlock.Create<EvaluationResult, SeedSummaryResult>(results => Write(context, results), context.Cancellation);

    public override async IAsyncEnumerable<SeedSummaryResult> ReplayAsync(StageContext context, SeedSummaryConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = Path.Combine(context.Directory, ReportFolder, JsonFileName);
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: $"Run the {DefaultName} stage again; it writes {JsonFileName}.");
        var summary = JsonSerializer.Deserialize<SeedsSummary>(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), EvalSummaryJson.Options)
                      ?? throw new InputDataException(path, "is empty.", fix: $"Run the {DefaultName} stage again.");
        yield return new SeedSummaryResult(summary, Path.Combine(context.Directory, ReportFolder, MarkdownFileName));
    }

    /// <summary>The folder of the stage's run folder that holds seeds.md and seeds.json.</summary>
    public const string ReportFolder = "report";

    /// <summary>The summary of <paramref name="results"/>, one per seed copy, taken in seed order.</summary>
    /// <exception cref="InvalidOperationException">A seed copy's evaluation did not arrive.</exception>
    public SeedsSummary Summarise(IReadOnlyList<EvaluationResult> results) =>
        SeedAggregation.Aggregate(seeds.Select(s => new SeedEvaluation(s.Name, s.Seed, s.EvaluateStage,
            (results.FirstOrDefault(r => r.Stage == s.EvaluateStage)
             ?? throw new InvalidOperationException($"{DefaultName}: no evaluation arrived from {s.EvaluateStage}.")).Summary)).ToList());

    private SeedSummaryResult Write(StageContext context, IReadOnlyList<EvaluationResult> results)
    {
        var summary = Summarise(results);
        var folder = Path.Combine(context.Directory, ReportFolder);
        Directory.CreateDirectory(folder);
        var md = Path.Combine(folder, MarkdownFileName);
        var json = Path.Combine(folder, JsonFileName);
        AtomicFile.WriteAllText(md, SeedsMarkdown.Render(summary, context.Config.Name, context.Run.Id));
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(summary, EvalSummaryJson.Options) + "\n");
        context.AddArtifact(md, "report");
        context.AddArtifact(json, "report");
        context.SetMetric("seeds", summary.Seeds.Count);
        context.SetMetric("seeds_holding", summary.Seeds.Count - summary.NotHolding.Count);
        foreach (var arm in summary.HarmfulRates)
        {
            context.SetMetric($"harmful_rate_mean/{arm.Arm.Key}", arm.Rate.Mean);
            context.SetMetric($"harmful_rate_pooled/{arm.Arm.Key}", arm.PooledRate);
        }
        context.SetNote("claim", summary.VerdictText);
        return new SeedSummaryResult(summary, md);
    }
}
