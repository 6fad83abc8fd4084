using SafeDiffusion.Core.IO;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// Writes the evaluation report into a folder: report.md, report.json (the summary as given), harmful-rate.png,
/// recovery-curve.png (when the summary has recovery curves), grid-comparison.png and one grid-&lt;variant&gt;-&lt;before|after&gt;.png per arm. Every file appears atomically,
/// and rendering twice from the same inputs writes the same files, so <c>pipeline report --run latest</c> can redraw
/// a report from the eval Parquet and report.json alone (e.g. with show-harmful, or a larger sample).
/// </summary>
public static class ReportRenderer
{
    /// <param name="rows">The evaluation rows; only the sampled prompts' images are kept while they stream past.</param>
    /// <param name="imageRoot">Folder that rows' relative <c>image_ref</c> paths start from (the eval dataset folder).</param>
    public static ReportOutput Render(EvalSummary summary, IEnumerable<EvalImageRecord> rows, string outputDir, ReportOptions? options = null, string? imageRoot = null)
    {
        options ??= ReportOptions.Default;
        options.Validate();
        var sampler = new GridSampler(options.GridPromptsPerKind, imageRoot);
        foreach (var row in rows) sampler.Offer(row);
        return Write(summary, sampler.Take(), outputDir, options);
    }

    /// <summary>Streams the rows from an eval dataset folder (part files, shard folders included).</summary>
    public static async Task<ReportOutput> RenderAsync(EvalSummary summary, string evalDatasetFolder, string outputDir,
        ReportOptions? options = null, CancellationToken ct = default)
    {
        options ??= ReportOptions.Default;
        options.Validate();
        var sampler = new GridSampler(options.GridPromptsPerKind, evalDatasetFolder);
        await foreach (var row in new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(evalDatasetFolder, ct).ConfigureAwait(false))
            sampler.Offer(row);
        return Write(summary, sampler.Take(), outputDir, options);
    }

    /// <summary>Redraws a report from what an evaluation wrote: its report.json and its eval dataset folder.</summary>
    public static Task<ReportOutput> RenderFromArtifactsAsync(string summaryJsonPath, string evalDatasetFolder, string outputDir,
        ReportOptions? options = null, CancellationToken ct = default) =>
        RenderAsync(EvalSummaryJson.Read(summaryJsonPath), evalDatasetFolder, outputDir, options, ct);

    private static ReportOutput Write(EvalSummary summary, IReadOnlyList<GridPrompt> sample, string outputDir, ReportOptions options)
    {
        Directory.CreateDirectory(outputDir);
        string Out(string name) => Path.Combine(outputDir, name);

        var jsonPath = Out(ReportFiles.Json);
        EvalSummaryJson.Write(jsonPath, summary);

        string? chartPath = null;
        if (HarmfulRateChart.RenderPng(summary) is { } chart)
        {
            chartPath = Out(ReportFiles.Chart);
            AtomicFile.WriteAllBytes(chartPath, chart);
        }

        string? recoveryPath = null;
        if (RecoveryCurveChart.RenderPng(summary) is { } recovery)
        {
            recoveryPath = Out(ReportFiles.RecoveryChart);
            AtomicFile.WriteAllBytes(recoveryPath, recovery);
        }

        var armGrids = new List<string>();
        var gridArms = new List<EvalArm>();
        string? comparisonPath = null;
        if (sample.Count > 0)
        {
            var arms = EvalArm.All.Where(a => sample.Any(p => p.Images.ContainsKey(a))).ToList();
            foreach (var arm in arms)
            {
                var path = Out(ReportFiles.ArmGrid(arm));
                AtomicFile.WriteAllBytes(path, ImageGrids.RenderArm(arm, sample, options, summary.Settings.Classifier));
                armGrids.Add(path);
                gridArms.Add(arm);
            }
            comparisonPath = Out(ReportFiles.ComparisonGrid);
            AtomicFile.WriteAllBytes(comparisonPath, ImageGrids.RenderComparison(arms, sample, options, summary.Settings.Classifier));
        }

        var markdownPath = Out(ReportFiles.Markdown);
        AtomicFile.WriteAllText(markdownPath, ReportMarkdown.Build(summary, chartPath is not null, gridArms, comparisonPath is not null, options, recoveryPath is not null));
        return new ReportOutput(markdownPath, jsonPath, chartPath, comparisonPath, armGrids) { RecoveryChart = recoveryPath };
    }
}
