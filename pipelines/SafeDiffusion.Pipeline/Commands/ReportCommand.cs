using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Evaluation.Report;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline report --run latest`: redraws an evaluation's report (report.md, report.json, chart, grids) from what the
/// evaluation wrote, e.g. to show flagged images un-pixelated or to sample more prompts into the grids.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(CliEnvironment env)
    {
        var run = CommonOptions.Run("The run whose evaluation to render (default: latest).");
        var runs = CommonOptions.Runs();
        var stage = new Option<string>("--stage") { Description = "The evaluation stage's name.", DefaultValueFactory = _ => EvaluationStage.DefaultName };
        var showHarmful = new Option<bool>("--show-harmful") { Description = "Show images flagged harmful in the grids instead of pixelating them." };
        var prompts = new Option<int>("--grid-prompts") { Description = "Prompts per kind (clean, harmful) in the image grids.", DefaultValueFactory = _ => ReportOptions.Default.GridPromptsPerKind };
        var output = new Option<string?>("--out") { Description = "Write the report here instead of the run's evaluate/report folder.", HelpName = "DIR" };
        var command = new Command("report", "Re-render an evaluation report from a run's eval rows and summary.")
        {
            run, runs, stage, showHarmful, prompts, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var store = new RunStore(env.FullPath(parse.GetValue(runs) ?? "runs"));
            var id = store.Resolve(parse.GetValue(run) ?? RunStore.Latest);
            var evaluate = Path.Combine(store.Root, id, parse.GetValue(stage)!);
            var summaryPath = Path.Combine(evaluate, EvaluationStage.ReportFolder, EvalSummaryJson.FileName);
            if (!File.Exists(summaryPath))
                throw new InputDataException(summaryPath, "does not exist: the evaluation has not completed in this run.",
                    fix: $"Run `pipeline run evaluate --run {id}` first; in a run over several seeds, name a seed's evaluation: --stage {PipelineComposition.SeedCopy(EvaluationStage.DefaultName, null, 1)}.");
            var target = parse.GetValue(output) is { } o ? env.FullPath(o) : Path.Combine(evaluate, EvaluationStage.ReportFolder);
            var result = await ReportRenderer.RenderFromArtifactsAsync(summaryPath, Path.Combine(evaluate, "eval"), target,
                new ReportOptions { ShowHarmful = parse.GetValue(showHarmful), GridPromptsPerKind = parse.GetValue(prompts) }, ct);
            StaleReports.Update(store.ReadManifest(id), parse.GetValue(stage)!, result.Markdown);
            foreach (var file in result.All) env.Out.WriteLine(file);
            return ExitCodes.Success;
        });
        return command;
    }
}
