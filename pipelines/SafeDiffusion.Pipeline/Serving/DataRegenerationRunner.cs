using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Pipeline.Serving;

/// <summary>
/// One try of a firing, in this process: the whole <c>data</c> graph (laion-prompts + harmful-prompts -> images -> dataset),
/// unsharded, in the host's runs folder. The config file is read again for every try, so an edit takes effect at
/// the next firing without restarting the host (a broken edit fails that firing as a usage error, not the host).
/// `serve` runs it in a `serve-try` child process (<see cref="ChildRegenerationRunner"/>), never in the host.
/// </summary>
public sealed class DataRegenerationRunner(string? configPath, IReadOnlyList<string> overrides, string workingDirectory, string runsRoot, TextWriter log)
    : IRegenerationRunner
{
    public async Task<string> RunAsync(RegenerationRequest request, CancellationToken ct)
    {
        var loaded = LoadedConfig.Load(configPath, overrides, workingDirectory);
        var configs = PipelineComposition.BindAll(loaded);
        var graph = PipelineComposition.Graph(PipelineComposition.Data);
        var execution = new GraphExecutionRequest(
            PipelineComposition.Data,
            graph.Stages.Select(s => s.Name).ToHashSet(),
            Force: false,
            ShardSpec.All,
            request.ResumeRunId,
            request.Trigger,
            request.ScheduledFireUtc,
            request.Attempt);
        var modes = RunFileModes.From(loaded.Config.Runs);
        modes.ApplyToProcess();
        var (runId, _) = await GraphExecution.RunAsync(loaded, configs, new RunStore(runsRoot, modes), execution, new PlainProgressSink(log),
            run => request.RunCreated(run.Id), ct).ConfigureAwait(false);
        return runId;
    }
}
