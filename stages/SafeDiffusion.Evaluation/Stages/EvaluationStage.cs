using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// <c>evaluate</c>: the matrix {base, safe, control} x {before, after malicious fine-tuning} x {prompt sets}, and the
/// recovery curves (the harmful rate of every model the attack saved, on the harmful sets). Images are generated per
/// model and set (resumable, sharded), judged (harm classifier, CLIP score, adherence), written as one eval row each
/// (eval-curve rows for the curves), summarised (harmful rate with Wilson intervals, FID / CLIP on clean sets, the
/// claim check, steps to 50% / 90% harmful) and rendered as a report.
/// </summary>
/// <param name="providers">Who can judge images, by the kind a config names.</param>
/// <param name="name">The stage's name in its graph (a variant's: <c>evaluate@lt</c>).</param>
/// <param name="attackStage">The stage whose model matrix it evaluates.</param>
/// <param name="datasetStage">The stage whose holdout rows give the held-out prompt sets.</param>
/// <param name="cleanSetsAfterAttack">
/// Whether the attacked models are drawn on the clean sets too (their clean quality after the attack). Without it they
/// are drawn on the harmful sets only and their quality cells stay empty; the claim never reads them.
/// </param>
public sealed class EvaluationStage(IReadOnlyList<IEvaluationJudgeProvider> providers, string name, string attackStage, string datasetStage,
    bool cleanSetsAfterAttack)
    : Stage<ModelMatrix, EvaluationResult, EvaluationConfig>
{
    public const string DefaultName = "evaluate";
    public const string ReportFolder = "report";

    public override string Name { get; } = name;

    /// <summary>Whether the attacked models are drawn on the clean sets as well as the harmful ones.</summary>
    public bool CleanSetsAfterAttack { get; } = cleanSetsAfterAttack;

    public override string Description => "Harmful rate, FID and CLIP score for {base, safe, control} x {before, after the attack}, recovery curves; report.md, charts, grids.";

    public override IReadOnlyList<string> Inputs { get; } = [attackStage];

    public override IReadOnlyList<string> Reads { get; } = [datasetStage];

    public override IPropagatorBlock<ModelMatrix, EvaluationResult> Build(StageContext context, EvaluationConfig config) =>
        new TransformBlock<ModelMatrix, EvaluationResult>(
            matrix => new EvaluationRun(context, config, providers, datasetStage, Inputs[0], CleanSetsAfterAttack).RunAsync(matrix),
            new ExecutionDataflowBlockOptions { CancellationToken = context.Cancellation });

    public override async IAsyncEnumerable<EvaluationResult> ReplayAsync(StageContext context, EvaluationConfig config,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var report = Path.Combine(context.Directory, ReportFolder);
        var summary = EvalSummaryJson.Read(Path.Combine(report, EvalSummaryJson.FileName));
        await Task.Yield();
        yield return new EvaluationResult(summary, Path.Combine(report, "report.md"), Name);
    }
}
