using System.Diagnostics;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Core.Stages;

/// <summary>Which stages to execute; the rest of what they need is read back from the run.</summary>
/// <param name="Execute">Stage names to execute (e.g. all, one, or one and everything downstream).</param>
/// <param name="Force">Execute even stages whose inputs and config are unchanged since they last completed, from
/// nothing: what their folders hold from earlier executions (resumable rows, images, checkpoints) is discarded.</param>
public sealed record RunSelection(IReadOnlySet<string> Execute, bool Force = false);

public sealed record GraphResult(
    IReadOnlyList<string> Executed,
    IReadOnlyList<string> Skipped,
    IReadOnlyList<string> Replayed,
    IReadOnlyList<object> Outputs);

/// <summary>A stage failed: the stage and its own error, reported once however many stages stopped because of it.</summary>
public sealed class StageFailedException(string stage, Exception cause)
    : PipelineException($"Stage {stage} failed: {cause.Message}", cause is PipelineException p ? p.ExitCode : ExitCodes.Failure, cause)
{
    public string Stage { get; } = stage;
}

/// <summary>
/// Executes a <see cref="StageGraph"/> over one run: links the selected stages' blocks, feeds them with live or
/// replayed upstream records, records status, timings, artifacts and metrics in the manifest, and on the first
/// failure cancels everything else and reports that one cause.
/// </summary>
public sealed class GraphRunner
{
    public async Task<GraphResult> RunAsync(
        StageGraph graph, StageConfigs configs, PipelineEnvironment env, RunSelection selection, CancellationToken ct)
    {
        var run = env.Run;
        AtomicFile.CleanStaleTemps(run.Directory);

        // 1. What executes, what is skipped as up to date, what is replayed from artifacts (the planner decides).
        var plan = RunPlanner.Plan(graph, configs, run, selection);
        var executing = plan.Execute.ToHashSet(StringComparer.Ordinal);
        var skipped = plan.Skip;
        var replayed = plan.Replay;
        foreach (var name in skipped)
            env.Progress.Info($"{name}: up to date (inputs and config unchanged); skipped. Use --force to rerun it.");
        foreach (var name in plan.Resume)
            env.Progress.Info($"{name}: resuming what its last, unfinished execution left where it still matches its inputs.");
        foreach (var line in StaleStage.Describe(plan.Stale, run.Id))
            env.Progress.Warn(line);
        if (executing.Count == 0)
            return new GraphResult([], skipped, [], []);
        foreach (var name in plan.Discard) StageOutputFolder.Clear(run.StageDirectory(name));

        // 2. Instances: live blocks for executing stages, replay sources for their recorded inputs.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var instances = new Dictionary<string, IStageInstance>();
        foreach (var stage in graph.Stages)
        {
            if (!executing.Contains(stage.Name) && !replayed.Contains(stage.Name)) continue;
            var context = new StageContext(stage.Name, env, cts.Token, graph.RootSeedOf(stage.Name));
            instances[stage.Name] = Instantiate(stage, context, configs[stage.Name], live: executing.Contains(stage.Name));
        }
        foreach (var name in executing)
        foreach (var input in graph[name].Inputs)
            instances[name].AddInput(instances[input].Output);
        // A cancelled Dataflow source that still holds records nobody will take can wait forever for a taker;
        // faulting every block on cancellation drops those records and lets the graph settle.
        using var stopAll = cts.Token.Register(() =>
        {
            foreach (var instance in instances.Values) instance.Fault(new OperationCanceledException(cts.Token));
        });

        // 3. Status bookkeeping and failure handling, per executing stage.
        Exception? firstFailure = null;
        string? failedStage = null;
        var failureGate = new Lock();
        var stopwatches = new Dictionary<string, Stopwatch>();
        var stopped = new Dictionary<string, (Exception? Cause, double Elapsed)>();
        var watchers = new List<Task>();
        var recorded = new Dictionary<string, Task>();
        foreach (var name in graph.Stages.Select(s => s.Name).Where(executing.Contains))
        {
            var started = DateTimeOffset.UtcNow;
            stopwatches[name] = Stopwatch.StartNew();
            run.UpdateStage(name, r => new StageRecord
            {
                Status = StageStatus.Running,
                StartedUtc = started,
                ConfigSha256 = configs.HashOf(name),
            });
            var instance = instances[name];
            // Upstream records are written first: this stage's fingerprint hashes their artifacts.
            var upstreamRecorded = graph.DependenciesOf(name).Where(recorded.ContainsKey).Select(d => recorded[d]).ToList();
            var watcher = RecordWhenDone(instance, upstreamRecorded);
            recorded[name] = watcher;
            watchers.Add(watcher);
        }

        async Task RecordWhenDone(IStageInstance instance, List<Task> upstream)
        {
            var name = instance.Name;
            Exception? error = null;
            try { await SettledAsync(instance.Completion, cts.Token).ConfigureAwait(false); }
            catch (Exception e) { error = e; }
            var elapsed = stopwatches[name].Elapsed.TotalSeconds;
            instance.Context.ReleaseLeases();
            if (error is null)
            {
                await Task.WhenAll(upstream).ConfigureAwait(false);
                var artifacts = instance.Context.Artifacts.Select(a => run.DescribeArtifact(a.Path, a.Kind)).ToList();
                run.UpdateStage(name, r => r with
                {
                    Status = StageStatus.Completed,
                    FinishedUtc = DateTimeOffset.UtcNow,
                    DurationSeconds = elapsed,
                    Artifacts = artifacts,
                    Metrics = instance.Context.Metrics,
                    Notes = instance.Context.Notes,
                    Error = null,
                });
                var fingerprint = RunPlanner.Fingerprint(graph, configs, run, name);
                var inputDigests = RunPlanner.InputDigests(graph, run, name);
                run.UpdateStage(name, r => r with { Fingerprint = fingerprint, InputDigests = inputDigests });
                return;
            }
            error = instance.Completion.Exception?.GetBaseException() ?? error;
            bool isCause = error is not OperationCanceledException and not UpstreamFailedException;
            if (isCause)
            {
                lock (failureGate)
                {
                    if (firstFailure is null)
                    {
                        firstFailure = error;
                        failedStage = name;
                    }
                }
                cts.Cancel();
            }
            lock (failureGate) stopped[name] = (isCause ? error : null, elapsed);
        }

        foreach (var name in replayed)
        {
            var instance = instances[name];
            watchers.Add(instance.Completion.ContinueWith(t =>
            {
                if (t.IsFaulted && t.Exception!.GetBaseException() is not OperationCanceledException)
                {
                    lock (failureGate)
                    {
                        if (firstFailure is null)
                        {
                            firstFailure = t.Exception!.GetBaseException();
                            failedStage = name + " (reading its recorded outputs)";
                        }
                    }
                    cts.Cancel();
                }
            }, TaskScheduler.Default));
        }

        // 4. Go: outputs are wired before any source starts, so no record is produced with nowhere to go.
        foreach (var instance in instances.Values) instance.Start();
        await Task.WhenAll(watchers).ConfigureAwait(false);
        // Replay sources nobody finished reading (a downstream stage failed) must not outlive the run.
        foreach (var name in replayed) instances[name].Fault(new OperationCanceledException());
        // The last stage's records reach the caller through a collector that may still be taking them.
        await Task.WhenAll(executing.Select(n => instances[n].Output.Drained)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);

        // Stages that stopped are recorded once the whole graph has settled, so each says why it stopped.
        foreach (var (name, (cause, elapsed)) in stopped)
        {
            var context = instances[name].Context;
            run.UpdateStage(name, r => r with
            {
                Status = cause is not null ? StageStatus.Failed : StageStatus.Cancelled,
                FinishedUtc = DateTimeOffset.UtcNow,
                DurationSeconds = elapsed,
                Metrics = context.Metrics,
                Notes = context.Notes,
                Error = cause is not null ? cause.Message
                    : firstFailure is not null ? $"stopped because {failedStage} failed" : "cancelled",
            });
        }
        if (firstFailure is not null) throw new StageFailedException(failedStage!, firstFailure);
        ct.ThrowIfCancellationRequested();
        if (cts.IsCancellationRequested) throw new OperationCanceledException(cts.Token);

        var outputs = executing
            .Where(n => !graph.Stages.Any(s => executing.Contains(s.Name) && s.Inputs.Contains(n)))
            .SelectMany(n => instances[n].Output.Collected)
            .ToList();
        return new GraphResult(graph.Stages.Select(s => s.Name).Where(executing.Contains).ToList(), skipped, replayed, outputs);
    }

    /// <summary>How long a cancelled stage may take to wind down before the run stops waiting for it.</summary>
    public static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits for a stage's completion, but after cancellation only for <see cref="CancellationGrace"/>: a cancelled
    /// TransformManyBlock with an async delegate can, rarely, never complete (seen with Dataflow 11.0.0), and a run
    /// must still be able to report its failure and exit.
    /// </summary>
    private static async Task SettledAsync(Task completion, CancellationToken cancelled)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = cancelled.Register(() => _ = Task.Delay(CancellationGrace).ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default));
        if (await Task.WhenAny(completion, stopped.Task).ConfigureAwait(false) == completion)
        {
            await completion.ConfigureAwait(false);
            return;
        }
        throw new OperationCanceledException("The stage did not wind down within the cancellation grace period.", cancelled);
    }

    private static IStageInstance Instantiate(IStage stage, StageContext context, object config, bool live)
    {
        var factory = stage as IInstantiableStage
                      ?? throw new InvalidOperationException($"{stage.Name} does not derive from Stage<TIn, TOut, TConfig>.");
        return live ? factory.Instantiate(context, config) : factory.InstantiateReplay(context, config);
    }
}
