using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// <c>compare</c>: gathers every variant's evaluation into one table (harmful rate of base, safe and the shared control
/// before and after the attack, clean quality, claim verdict): comparison.md and comparison.json.
/// </summary>
public sealed class ComparisonStage(IReadOnlyList<(string Variant, string Label, string EvaluateStage)> variants)
    : Stage<EvaluationResult, ComparisonResult, ComparisonConfig>
{
    public const string DefaultName = "compare";

    public override string Name => DefaultName;

    public override string Description => "One table comparing the safety-training variants through the same attack and evaluation.";

    public override IReadOnlyList<string> Inputs { get; } = variants.Select(v => v.EvaluateStage).ToList();

    public override IPropagatorBlock<EvaluationResult, ComparisonResult> Build(StageContext context, ComparisonConfig config)
    {
        var results = new List<EvaluationResult>();
        var output = new BufferBlock<ComparisonResult>(new DataflowBlockOptions { CancellationToken = context.Cancellation });
        var input = new ActionBlock<EvaluationResult>(r => results.Add(r), new ExecutionDataflowBlockOptions { CancellationToken = context.Cancellation });
        input.Completion.ContinueWith(t =>
        {
            try
            {
                if (!t.IsCompletedSuccessfully) throw t.Exception?.GetBaseException() ?? new OperationCanceledException();
                output.Post(Write(context, results));
                output.Complete();
            }
            catch (Exception e)
            {
                ((IDataflowBlock)output).Fault(e);
            }
        }, TaskScheduler.Default);
        return DataflowBlock.Encapsulate(input, output);
    }

    public override async IAsyncEnumerable<ComparisonResult> ReplayAsync(StageContext context, ComparisonConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = Path.Combine(context.Directory, "comparison.json");
        var rows = JsonSerializer.Deserialize<List<ComparisonRow>>(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), Json)!;
        yield return new ComparisonResult(rows, Path.Combine(context.Directory, "comparison.md"));
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private ComparisonResult Write(StageContext context, IReadOnlyList<EvaluationResult> results)
    {
        var rows = new List<ComparisonRow>();
        foreach (var (variant, label, stage) in variants)
        {
            var summary = results.Single(r => r.Stage == stage).Summary;
            double? Rate(EvalVariant v, bool attacked) => summary.PooledHarmfulRates.FirstOrDefault(c => c.Variant == v && c.Attacked == attacked)?.Rate;
            double? Quality(EvalVariant v, Func<QualityCell, double?> pick) =>
                summary.Quality.Where(q => q.Variant == v && !q.Attacked).Select(pick).FirstOrDefault(x => x is not null);
            rows.Add(new ComparisonRow(variant, label,
                Rate(EvalVariant.Base, false), Rate(EvalVariant.Base, true), Rate(EvalVariant.Safe, false), Rate(EvalVariant.Safe, true),
                Quality(EvalVariant.Base, q => q.Fid), Quality(EvalVariant.Safe, q => q.Fid),
                Quality(EvalVariant.Base, q => q.AdherenceMean ?? q.ClipScoreMean), Quality(EvalVariant.Safe, q => q.AdherenceMean ?? q.ClipScoreMean),
                summary.Claim.Verdict.ToString(), results.Single(r => r.Stage == stage).ReportPath)
            {
                ControlBefore = Rate(EvalVariant.Control, false),
                ControlAfter = Rate(EvalVariant.Control, true),
                FdControl = Quality(EvalVariant.Control, q => q.Fid),
                QualityControl = Quality(EvalVariant.Control, q => q.AdherenceMean ?? q.ClipScoreMean),
            });
        }
        var md = Path.Combine(context.Directory, "comparison.md");
        var json = Path.Combine(context.Directory, "comparison.json");
        AtomicFile.WriteAllText(md, Markdown(rows, context.Config.Name, context.Run.Id));
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(rows, Json) + "\n");
        context.AddArtifact(md, "comparison");
        context.AddArtifact(json, "comparison");
        return new ComparisonResult(rows, md);
    }

    internal static string Markdown(IReadOnlyList<ComparisonRow> rows, string config, string runId)
    {
        var inv = CultureInfo.InvariantCulture;
        string P(double? v) => v is { } x ? x.ToString("P1", inv) : "-";
        string F(double? v) => v is { } x ? x.ToString("0.00", inv) : "-";
        var sb = new StringBuilder();
        sb.AppendLine($"# Safety-training variants compared ({config}, run {runId})");
        sb.AppendLine();
        sb.AppendLine("Harmful rate on harmful prompt sets (pooled), before and after malicious fine-tuning; clean quality before the attack");
        sb.AppendLine("(Frechet distance to the reference images: lower is better; adherence or CLIP score: higher is better).");
        sb.AppendLine("Every variant is measured beside the same control, the plain clean fine-tune with safety training's steps, rate and");
        sb.AppendLine("data: its row, the last, gives the control's figures in the safe columns.");
        sb.AppendLine();
        sb.AppendLine("| variant | base before | base after | safe before | safe after | FD base | FD safe | adherence/CLIP base | adherence/CLIP safe | claim |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Label} | {P(r.BaseBefore)} | {P(r.BaseAfter)} | {P(r.SafeBefore)} | {P(r.SafeAfter)} | {F(r.FdBase)} | {F(r.FdSafe)} | {F(r.QualityBase)} | {F(r.QualitySafe)} | {r.Claim} |");
        // Every variant's evaluation takes the one control; its row is the safe columns' yardstick.
        if (rows.FirstOrDefault(r => r.ControlBefore is not null || r.ControlAfter is not null) is { } c)
            sb.AppendLine($"| control: plain clean fine-tune | {P(c.BaseBefore)} | {P(c.BaseAfter)} | {P(c.ControlBefore)} | {P(c.ControlAfter)} | {F(c.FdBase)} | {F(c.FdControl)} | {F(c.QualityBase)} | {F(c.QualityControl)} | - |");
        return sb.ToString();
    }
}

/// <summary>One variant's line of the comparison.</summary>
public sealed record ComparisonRow(
    string Variant,
    string Label,
    double? BaseBefore,
    double? BaseAfter,
    double? SafeBefore,
    double? SafeAfter,
    double? FdBase,
    double? FdSafe,
    double? QualityBase,
    double? QualitySafe,
    string Claim,
    string Report)
{
    /// <summary>The control's harmful rate before and after the attack, and its clean quality (the same in every row: one control serves all).</summary>
    public double? ControlBefore { get; init; }
    public double? ControlAfter { get; init; }
    public double? FdControl { get; init; }
    public double? QualityControl { get; init; }
}

/// <summary>The comparison table; printed when `pipeline run compare` ends.</summary>
public sealed record ComparisonResult(IReadOnlyList<ComparisonRow> Rows, string MarkdownPath) : IRunSummary
{
    public string Describe() => Environment.NewLine + File.ReadAllText(MarkdownPath).TrimEnd() + Environment.NewLine + $"comparison: {MarkdownPath}";
}
