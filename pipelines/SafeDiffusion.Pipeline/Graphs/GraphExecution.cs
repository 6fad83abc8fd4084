using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Graphs;

/// <summary>What to execute of a graph, over which run, and why.</summary>
/// <param name="RunId">An existing run to work in (resume); null creates a new run.</param>
public sealed record GraphExecutionRequest(
    string GraphName,
    IReadOnlySet<string> Execute,
    bool Force,
    ShardSpec Shard,
    string? RunId,
    RunTrigger Trigger = RunTrigger.Manual,
    DateTimeOffset? ScheduledFireUtc = null,
    int Attempt = 1);

/// <summary>
/// One execution of a graph over a run, shared by `pipeline run` and the scheduler: creates or opens the run, runs
/// the selected stages, records the run's outcome in its manifest however it ends, and, when the whole data graph
/// of an unsharded run has succeeded, switches <c>runs/latest-data</c> to it.
/// </summary>
public static class GraphExecution
{
    /// <summary>How many times a run stopped by TorchSharp's native-scalar race resumes by itself before it fails.</summary>
    public const int NativeRaceRetries = 2;

    /// <param name="platform">The devices this build and machine offer (null: ask the native libraries).</param>
    /// <exception cref="UsageException">A configured device is missing from this build or machine (preflight, exit code 2).</exception>
    public static async Task<(string RunId, GraphResult Result)> RunAsync(
        LoadedConfig loaded, StageConfigs configs, RunStore store, GraphExecutionRequest request, IProgressSink progress,
        Action<Run>? runOpened, CancellationToken ct, IDevicePlatform? platform = null)
    {
        var graph = PipelineComposition.Graph(request.GraphName, loaded);
        // Before a run folder exists or any stage starts: a device this build or machine lacks is a config error now,
        // not a crash hours later.
        DevicePreflight.ThrowIfAny(PreflightRequests.For(loaded, configs, request.Execute), platform ?? new NativeDevicePlatform());
        using var run = request.RunId is null
            ? store.Create(loaded.Document, loaded.Config, request.Shard.IsAll ? null : request.Shard.ToString())
            : store.Open(request.RunId);
        runOpened?.Invoke(run);
        // Resuming a shard's run continues that shard, whether or not --shard is repeated.
        var shard = request.Shard;
        if (run.Manifest.Shard is { } recorded)
        {
            var own = ShardSpec.Parse(recorded);
            if (!shard.IsAll && shard != own)
                throw new UsageException($"Run {run.Id} is shard {own}; it cannot continue as shard {shard}. Drop --shard or give {own}.");
            shard = own;
        }
        else if (!shard.IsAll && request.RunId is not null)
            throw new UsageException($"Run {run.Id} is not sharded; it cannot continue as shard {shard}. Drop --shard, or start a new run for the shard.");
        var whole = graph.Stages.All(s => request.Execute.Contains(s.Name));
        var label = whole ? graph.Name : string.Join("+", graph.Stages.Where(s => request.Execute.Contains(s.Name)).Select(s => s.Name));
        RunOutcome Outcome(RunStatus status, string? error) => new()
        {
            Status = status,
            FinishedUtc = DateTimeOffset.UtcNow,
            Graph = label,
            Trigger = request.Trigger,
            ScheduledFireUtc = request.ScheduledFireUtc,
            Attempts = request.Attempt,
            Error = error,
        };
        GraphResult result;
        try
        {
            // A stage stopped by TorchSharp's native-scalar race resumes from what it saved, as `--run <id>` would.
            var retry = new TransientFailureRetry(LibTorchErrors.IsScalarLifetimeRace, NativeRaceRetries);
            result = await retry.RunAsync(attempt =>
            {
                var environment = new PipelineEnvironment(run, loaded.Config, loaded.Document, DeviceScheduler.FromConfig(loaded.Config), progress,
                    new ModelCatalog(loaded.Config.Models, PipelineComposition.ModelResolvers(loaded), loaded.BaseDirectory), shard);
                // --force discards the selected stages' outputs once; a retry resumes what the first attempt wrote.
                return new GraphRunner().RunAsync(graph, configs, environment, new RunSelection(request.Execute, request.Force && attempt == 1), ct);
            }, (retryNumber, e) => progress.Warn(
                $"{(e as StageFailedException)?.Stage ?? "a stage"} stopped on TorchSharp's native-scalar race, not on anything in your input or " +
                $"config (docs/known-issues.md); resuming the run where it stopped (retry {retryNumber} of {NativeRaceRetries}).")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            run.RecordOutcome(Outcome(RunStatus.Cancelled, "cancelled before it finished; finished parts are kept, rerun with --run to resume"));
            throw;
        }
        catch (Exception e)
        {
            run.RecordOutcome(Outcome(RunStatus.Failed, LibTorchErrors.WithoutBacktrace(e is PipelineException ? e.Message : $"{e.GetType().Name}: {e.Message}")));
            StaleReports.Update(graph, run.Manifest, run.Directory);
            throw;
        }
        run.RecordOutcome(Outcome(RunStatus.Succeeded, null));
        StaleReports.Update(graph, run.Manifest, run.Directory);
        // A shard or a part of the graph is not a dataset anyone should consume on its own.
        if (whole && shard.IsAll && graph.Name is PipelineComposition.Data or PipelineComposition.Full)
            store.PointTo(RunStore.LatestData, run.Id);
        return (run.Id, result);
    }
}
