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
/// before and after the attack, clean quality, claim verdict): comparison.md and comparison.json. In a run over several
/// seeds each variant has one evaluation per seed: its cells are the means across seeds with their range, and its
/// claim holds only when it holds in every seed.
/// </summary>
public sealed class ComparisonStage : Stage<EvaluationResult, ComparisonResult, ComparisonConfig>
{
    public const string DefaultName = "compare";

    private readonly IReadOnlyList<(string Variant, string Label, IReadOnlyList<(string Name, long Seed, string EvaluateStage)> Seeds)> variants;

    /// <summary>One evaluation per variant (a run over one seed).</summary>
    public ComparisonStage(IReadOnlyList<(string Variant, string Label, string EvaluateStage)> variants)
        : this(variants.Select(v => (v.Variant, v.Label, (IReadOnlyList<(string, long, string)>)[("", 0L, v.EvaluateStage)])).ToList())
    {
    }

    /// <param name="variants">Each variant with its evaluation per seed (copy name, root seed, stage), in seed order.</param>
    public ComparisonStage(IReadOnlyList<(string Variant, string Label, IReadOnlyList<(string Name, long Seed, string EvaluateStage)> Seeds)> variants)
    {
        this.variants = variants;
        Inputs = variants.SelectMany(v => v.Seeds.Select(s => s.EvaluateStage)).ToList();
    }

    public override string Name => DefaultName;

    public override string Description => "One table comparing the safety-training variants through the same attack and evaluation.";

    public override IReadOnlyList<string> Inputs { get; }

    public override IPropagatorBlock<EvaluationResult, ComparisonResult> Build(StageContext context, ComparisonConfig config) =>
        GatheringBlock.Create<EvaluationResult, ComparisonResult>(results => Write(context, results), context.Cancellation);

    public override async IAsyncEnumerable<ComparisonResult> ReplayAsync(StageContext context, ComparisonConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        var path = Path.Combine(context.Directory, "comparison.json");
        var rows = JsonSerializer.Deserialize<List<ComparisonRow>>(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), Json)!;
        yield return new ComparisonResult(rows, Path.Combine(context.Directory, "comparison.md"));
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    private ComparisonResult Write(StageContext context, IReadOnlyList<EvaluationResult> results)
    {
        var rows = new List<ComparisonRow>();
        foreach (var (variant, label, seeds) in variants)
        {
            EvaluationResult Result(string stage) => results.FirstOrDefault(r => r.Stage == stage)
                ?? throw new InvalidOperationException($"{DefaultName}: no evaluation arrived from {stage}.");
            if (seeds.Count > 1)
            {
                rows.Add(AcrossSeeds(variant, label, SeedAggregation.Aggregate(seeds.Select(s => new SeedEvaluation(s.Name, s.Seed, s.EvaluateStage, Result(s.EvaluateStage).Summary)).ToList()),
                    string.Join("; ", seeds.Select(s => Result(s.EvaluateStage).ReportPath))));
                continue;
            }
            var summary = Result(seeds[0].EvaluateStage).Summary;
            double? Rate(EvalVariant v, bool attacked) => summary.PooledHarmfulRates.FirstOrDefault(c => c.Variant == v && c.Attacked == attacked)?.Rate;
            double? Quality(EvalVariant v, Func<QualityCell, double?> pick) =>
                summary.Quality.Where(q => q.Variant == v && !q.Attacked).Select(pick).FirstOrDefault(x => x is not null);
            rows.Add(new ComparisonRow(variant, label,
                Rate(EvalVariant.Base, false), Rate(EvalVariant.Base, true), Rate(EvalVariant.Safe, false), Rate(EvalVariant.Safe, true),
                Quality(EvalVariant.Base, q => q.Fid), Quality(EvalVariant.Safe, q => q.Fid),
                Quality(EvalVariant.Base, q => q.AdherenceMean ?? q.ClipScoreMean), Quality(EvalVariant.Safe, q => q.AdherenceMean ?? q.ClipScoreMean),
                summary.Claim.Verdict.ToString(), Result(seeds[0].EvaluateStage).ReportPath)
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

    /// <summary>A variant's row from its evaluations across seeds: every figure the mean of the seeds' figures.</summary>
    internal static ComparisonRow AcrossSeeds(string variant, string label, SeedsSummary across, string reports)
    {
        double? Rate(EvalVariant v, bool attacked) => across.HarmfulRates.FirstOrDefault(c => c.Variant == v && c.Attacked == attacked)?.Rate.Mean;
        double? Quality(EvalVariant v, Func<QualityAcrossSeeds, SeedSpread?> pick) =>
            across.Quality.Where(q => q.Variant == v && !q.Attacked).Select(pick).FirstOrDefault(x => x is not null)?.Mean;
        return new ComparisonRow(variant, label,
            Rate(EvalVariant.Base, false), Rate(EvalVariant.Base, true), Rate(EvalVariant.Safe, false), Rate(EvalVariant.Safe, true),
            Quality(EvalVariant.Base, q => q.Fid), Quality(EvalVariant.Safe, q => q.Fid),
            Quality(EvalVariant.Base, q => q.Adherence ?? q.ClipScore), Quality(EvalVariant.Safe, q => q.Adherence ?? q.ClipScore),
            across.Verdict.ToString(), reports)
        {
            AcrossSeeds = across,
            ControlBefore = Rate(EvalVariant.Control, false),
            ControlAfter = Rate(EvalVariant.Control, true),
            FdControl = Quality(EvalVariant.Control, q => q.Fid),
            QualityControl = Quality(EvalVariant.Control, q => q.Adherence ?? q.ClipScore),
        };
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
        if (rows.Any(r => r.AcrossSeeds is not null))
        {
            sb.AppendLine("Over several seeds a cell is the mean of the seeds' figures with their range (min - max), and a variant's claim");
            sb.AppendLine("holds only if it holds in every seed (the seeds where it does not are named).");
        }
        sb.AppendLine();
        sb.AppendLine("| variant | base before | base after | safe before | safe after | FD base | FD safe | adherence/CLIP base | adherence/CLIP safe | claim |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
        {
            if (r.AcrossSeeds is not { } across)
            {
                sb.AppendLine($"| {r.Label} | {P(r.BaseBefore)} | {P(r.BaseAfter)} | {P(r.SafeBefore)} | {P(r.SafeAfter)} | {F(r.FdBase)} | {F(r.FdSafe)} | {F(r.QualityBase)} | {F(r.QualitySafe)} | {r.Claim} |");
                continue;
            }
            string Rate(EvalVariant v, bool attacked) => across.HarmfulRates.FirstOrDefault(c => c.Variant == v && c.Attacked == attacked) is { } c
                ? string.Create(inv, $"{c.Rate.Mean:P1} ({c.Rate.Min:P1} - {c.Rate.Max:P1})") : "-";
            string Quality(EvalVariant v, Func<QualityAcrossSeeds, SeedSpread?> pick) =>
                across.Quality.Where(q => q.Variant == v && !q.Attacked).Select(pick).FirstOrDefault(x => x is not null) is { } s
                    ? string.Create(inv, $"{s.Mean:0.00} ({s.Min:0.00} - {s.Max:0.00})") : "-";
            var claim = across.NotHolding.Count == 0
                ? $"{across.Verdict} in all {across.Seeds.Count} seeds"
                : $"{across.Verdict}: holds in {across.Seeds.Count - across.NotHolding.Count} of {across.Seeds.Count} seeds, not in {string.Join(", ", across.NotHolding.Select(s => s.Name))}";
            sb.AppendLine($"| {r.Label} | {Rate(EvalVariant.Base, false)} | {Rate(EvalVariant.Base, true)} | {Rate(EvalVariant.Safe, false)} | {Rate(EvalVariant.Safe, true)} | " +
                          $"{Quality(EvalVariant.Base, q => q.Fid)} | {Quality(EvalVariant.Safe, q => q.Fid)} | {Quality(EvalVariant.Base, q => q.Adherence ?? q.ClipScore)} | {Quality(EvalVariant.Safe, q => q.Adherence ?? q.ClipScore)} | {claim} |");
        }
        // Every variant's evaluation takes the one control; its row is the safe columns' yardstick.
        if (rows.FirstOrDefault(r => r.ControlBefore is not null || r.ControlAfter is not null) is { } c)
            sb.AppendLine($"| control: plain clean fine-tune | {P(c.BaseBefore)} | {P(c.BaseAfter)} | {P(c.ControlBefore)} | {P(c.ControlAfter)} | {F(c.FdBase)} | {F(c.FdControl)} | {F(c.QualityBase)} | {F(c.QualityControl)} | - |");
        return sb.ToString();
    }
}

/// <summary>One variant's line of the comparison; over several seeds, each figure is the mean across seeds.</summary>
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

    /// <summary>The variant's evaluations summarised across seeds, in a run over several seeds; null (and not written) over one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public SeedsSummary? AcrossSeeds { get; init; }
}

/// <summary>The comparison table; printed when `pipeline run compare` ends.</summary>
public sealed record ComparisonResult(IReadOnlyList<ComparisonRow> Rows, string MarkdownPath) : IRunSummary
{
    public string Describe() => Environment.NewLine + File.ReadAllText(MarkdownPath).TrimEnd() + Environment.NewLine + $"comparison: {MarkdownPath}";
}
