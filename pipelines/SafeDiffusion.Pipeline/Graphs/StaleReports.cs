using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Evaluation.Report;
using SafeDiffusion.Evaluation.Stages;

namespace SafeDiffusion.Pipeline.Graphs;

/// <summary>
/// Keeps the stale notice at the top of a run's evaluation reports true: a report whose evaluation is stale says so,
/// with the command that refreshes it; any other report carries no notice.
/// </summary>
public static class StaleReports
{
    /// <summary>Updates the report of every evaluation stage of <paramref name="graph"/> that completed in the run, and the table across seeds.</summary>
    public static void Update(StageGraph graph, RunManifest manifest, string runDirectory)
    {
        foreach (var stage in graph.Stages.OfType<EvaluationStage>())
            if (manifest.Stage(stage.Name) is { Status: StageStatus.Completed })
                Update(manifest, stage.Name, Path.Combine(runDirectory, stage.Name, EvaluationStage.ReportFolder, ReportFiles.Markdown));
        foreach (var stage in graph.Stages.OfType<SeedSummaryStage>())
            if (manifest.Stage(stage.Name) is { Status: StageStatus.Completed })
                Update(manifest, stage.Name, Path.Combine(runDirectory, stage.Name, SeedSummaryStage.ReportFolder, SeedSummaryStage.MarkdownFileName));
    }

    /// <summary>Updates one report: <paramref name="markdownPath"/>, the report of <paramref name="stage"/>.</summary>
    public static void Update(RunManifest manifest, string stage, string markdownPath)
    {
        var stale = RunPlanner.StaleStages(manifest);
        var own = stale.FirstOrDefault(s => s.Stage == stage);
        StaleReportNotice.Apply(markdownPath, own is null ? [] : StaleStage.Describe(stale.Where(s => s.RerunFrom == own.RerunFrom).ToList(), manifest.RunId));
    }
}
