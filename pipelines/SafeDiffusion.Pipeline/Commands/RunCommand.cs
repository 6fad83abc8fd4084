using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Progress;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline run [full|data|STAGE]`: runs a graph, one stage, or a stage and everything downstream of it, over a new
/// run or an existing one (`--run`), skipping stages whose inputs and config are unchanged unless `--force`.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliEnvironment env)
    {
        var target = new Argument<string>("target")
        {
            Description = "full (default: the whole experiment), data (prompts -> images -> dataset), compare (the safety-training variants side by side), or one stage's name.",
            DefaultValueFactory = _ => PipelineComposition.Full,
        };
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var runs = CommonOptions.Runs();
        var run = CommonOptions.Run("Work in an existing run (its upstream outputs feed the stage); default: a new run for graphs.");
        var from = new Option<string?>("--from") { Description = "Rerun this stage and everything downstream of it.", HelpName = "STAGE" };
        var force = new Option<bool>("--force") { Description = "Rerun the selected stages from nothing, even when their inputs and config are unchanged: their earlier outputs (resumable images, eval rows, checkpoints) are discarded." };
        var shard = new Option<string?>("--shard")
        {
            Description = "Generate one share of the prompts, i/N (0-based); default from SHARD_INDEX/SHARD_COUNT, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set.",
            HelpName = "i/N",
        };
        var seeds = new Option<int?>("--seeds")
        {
            Description = $"Repeat safety training, the attack and evaluation over N seeds derived from the config's seed (the first is that seed itself); sets `seeds: N`. Default: the config's seeds:, else {PipelineComposition.DefaultSeedCount} for full and compare.",
            HelpName = "N",
        };
        var command = new Command("run", "Run the pipeline, one stage of it, or a stage and everything after it.")
        {
            target, config, set, runs, run, from, force, shard, seeds,
        };
        command.SetAction((parse, ct) => ExecuteAsync(env, new RunRequest(
            parse.GetValue(target)!,
            parse.GetValue(config),
            parse.GetValue(set) ?? [],
            parse.GetValue(runs),
            parse.GetValue(run),
            parse.GetValue(from),
            parse.GetValue(force),
            parse.GetValue(shard),
            parse.GetValue(seeds)), ct));
        return command;
    }

    internal sealed record RunRequest(
        string Target, string? ConfigPath, IReadOnlyList<string> Overrides, string? RunsRoot, string? RunId, string? From, bool Force, string? Shard, int? Seeds = null);

    internal static async Task<int> ExecuteAsync(CliEnvironment env, RunRequest request, CancellationToken ct)
    {
        if (request.Seeds is < 1 or > RunSeeds.MaxCount)
            throw new UsageException($"--seeds {request.Seeds} is not a number of seeds; give 1 to {RunSeeds.MaxCount}.");
        // --seeds N is `seeds: N` in the config, so the run's config snapshot records it like any other setting.
        var overrides = request.Seeds is { } count ? [.. request.Overrides, string.Create(CultureInfo.InvariantCulture, $"seeds={count}")] : request.Overrides;
        var loaded = LoadedConfig.Load(request.ConfigPath, overrides, env.WorkingDirectory);
        var graphName = PipelineComposition.GraphNames.Contains(request.Target) ? request.Target : PipelineComposition.Full;
        var graph = PipelineComposition.Graph(graphName, loaded);
        var configs = PipelineComposition.BindAll(loaded, graphName);

        IReadOnlySet<string> execute;
        if (request.From is { } from)
        {
            if (graphName != request.Target)
                throw new UsageException($"Use either a stage name or --from, not both ('{request.Target}' and --from {from}).");
            execute = Copies(graph, from).SelectMany(graph.FromStage).ToHashSet();
        }
        else if (graphName == request.Target) execute = graph.Stages.Select(s => s.Name).ToHashSet();
        else execute = Copies(graph, request.Target).ToHashSet();

        var singleStageWithInputs = request.RunId is null && execute.Any(s => graph.DependenciesOf(s).Any(d => !execute.Contains(d)));
        if (singleStageWithInputs)
            throw new UsageException(
                $"{string.Join(", ", execute)} needs the outputs of earlier stages: add --run <id|latest> to take them from an existing run, " +
                "or run the whole graph (`pipeline run full`).");

        var shard = ShardOption.Resolve(request.Shard);
        // Everything this run writes, through the store or through any library, is no more open than the configured modes.
        var modes = RunFileModes.From(loaded.Config.Runs);
        modes.ApplyToProcess();
        var store = new RunStore(env.FullPath(request.RunsRoot ?? loaded.Config.Runs.Root), modes);
        var (runId, result) = await WithProgressAsync(env, progress => GraphExecution.RunAsync(loaded, configs, store,
            new GraphExecutionRequest(graphName, execute, request.Force, shard, request.RunId),
            progress,
            run =>
            {
                if (request.RunId is not null && run.Manifest.ConfigSha256 != loaded.Document.Sha256())
                    env.Error.WriteLine($"note: this config differs from the one run {run.Id} started with; stages whose sections changed will rerun.");
                env.Error.WriteLine($"run {run.Id} ({loaded.Document.SourceName}) in {run.Directory}");
            }, ct)).ConfigureAwait(false);

        PrintSummary(env, store, runId, result);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The stage <paramref name="name"/>, or, over several seeds where the graph holds only its seed copies
    /// (<c>safety-train@seed-1</c>, ...), every copy of it.
    /// </summary>
    private static IEnumerable<string> Copies(StageGraph graph, string name)
    {
        if (graph.Contains(name)) return [name];
        var copies = graph.Stages.Select(s => s.Name).Where(s => s != name && StageVariant.StageOf(s) == name).ToList();
        return copies.Count > 0 ? copies : [graph[name].Name];
    }

    internal static async Task<T> WithProgressAsync<T>(CliEnvironment env, Func<IProgressSink, Task<T>> work)
    {
        if (env.Interactive) return await new SpectreProgressSink(env.Console).RunAsync(work).ConfigureAwait(false);
        return await work(new PlainProgressSink(env.Error)).ConfigureAwait(false);
    }

    private static void PrintSummary(CliEnvironment env, RunStore store, string runId, GraphResult result)
    {
        var manifest = store.ReadManifest(runId);
        var stale = RunPlanner.StaleStages(manifest);
        env.Out.WriteLine();
        env.Out.WriteLine($"run {runId}");
        // Seed and variant copies (malicious-finetune@lt-seed-2) are longer than the plain names.
        int width = Math.Max(20, manifest.Stages.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max());
        foreach (var (name, record) in manifest.Stages)
        {
            var state = stale.Any(s => s.Stage == name) ? "stale"
                : result.Skipped.Contains(name) ? "up to date"
                : record.Status.ToString().ToLowerInvariant();
            var took = record.DurationSeconds is { } d ? TimeSpan.FromSeconds(d).ToString(@"m\:ss", CultureInfo.InvariantCulture) : "";
            env.Out.WriteLine($"  {name.PadRight(width)} {state,-11} {took,6}  {record.Artifacts.Count} artifact(s)");
        }
        foreach (var line in StaleStage.Describe(stale, runId)) env.Out.WriteLine(line);
        foreach (var output in result.Outputs)
            if (output is IRunSummary summary) env.Out.WriteLine(summary.Describe());
        env.Out.WriteLine($"manifest: {Path.Combine(store.Root, runId, RunStore.ManifestFileName)}");
    }
}
