using Microsoft.Extensions.Logging;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Runs;
using SafeDiffusion.Scheduling.Status;
using SafeDiffusion.Scheduling.Timing;

namespace SafeDiffusion.Scheduling.Execution;

/// <summary>
/// Serves the schedule's firings: one run at a time, retries with backoff, <c>latest-data</c> switched after a
/// success, old runs pruned, <c>runs/status.json</c> rewritten on every change. Quartz decides when to fire; this
/// class decides whether a firing runs and what happens around the run, so it is tested on a fake clock.
/// </summary>
/// <remarks>
/// A firing is skipped, not queued, when (1) a run of this host is in progress, (2) it came due while this host's
/// previous run was still going (a firing Quartz held back and delivered late), or (3) another process is writing
/// a run in the same runs folder (a manual `pipeline run`): two runs at once would compete for the same devices.
/// </remarks>
public sealed class RegenerationCoordinator
{
    private const int UpcomingShown = 3;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _statusGate = new();
    private readonly ScheduleConfig _config;
    private readonly RunStore _store;
    private readonly IRegenerationRunner _runner;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly StatusFile _statusFile;
    private readonly ScheduleLedger _ledger;
    private SchedulerStatus _status;
    private DateTimeOffset? _lastRunFinishedUtc;
    private volatile bool _started;

    public RegenerationCoordinator(ScheduleConfig config, RunStore store, IRegenerationRunner runner, TimeProvider clock, ILogger log, HostInfo host)
    {
        _config = config;
        _store = store;
        _runner = runner;
        _clock = clock;
        _log = log;
        Schedule = config.ToSchedule();
        _statusFile = new StatusFile(store.Root);
        _ledger = new ScheduleLedger(store.Root);
        _status = new SchedulerStatus
        {
            UpdatedUtc = clock.GetUtcNow(),
            State = SchedulerState.Idle,
            Host = host,
            Schedule = new ScheduleInfo(Schedule.Cron, Schedule.TimeZoneId, []),
        };
    }

    public CronSchedule Schedule { get; }

    public RunStore Store => _store;

    public SchedulerStatus Status
    {
        get { lock (_statusGate) return _status; }
    }

    /// <summary>
    /// The host is starting: carries over the last success and failure from earlier hosts, publishes the status
    /// (starting), and returns the firing to catch up, if one came due while no host was serving (and the config
    /// asks for it). <see cref="Serving"/> follows once the host has started.
    /// </summary>
    public Firing? Start()
    {
        var now = _clock.GetUtcNow();
        var previous = TryReadStatus();
        _started = true;
        Publish(s => s with
        {
            State = SchedulerState.Starting,
            LastSuccess = previous?.LastSuccess,
            LastFailure = previous?.LastFailure,
            LastSkipped = previous?.LastSkipped,
        });
        var ledger = _ledger.Read();
        if (ledger is null)
        {
            // First start on this folder: nothing was scheduled before, so nothing was missed.
            _ledger.EnsureStarted(now);
            _log.LogInformation("Serving {Schedule} on {Runs} from now on; next firing {Next:u}.", Schedule, _store.Root, Schedule.NextAfter(now));
            return null;
        }
        var due = Schedule.LastAtOrBefore(now);
        var covered = ledger.LastRunStartUtc is { } start && start > ledger.ServingSinceUtc ? start : ledger.ServingSinceUtc;
        if (due is not { } missed || missed <= covered) return null;
        if (!_config.RunOnStartIfMissed)
        {
            _log.LogWarning("The firing of {Missed:u} was missed while no host was running; runOnStartIfMissed is false, so it is not caught up.", missed);
            return null;
        }
        _log.LogInformation("The firing of {Missed:u} was missed while no host was running (last run started {Covered:u}); running it once now.", missed, covered);
        return new Firing(RunTrigger.Missed, missed);
    }

    /// <summary>Runs the data graph for one firing, with retries. Never throws for a failed run: the result says.</summary>
    public async Task<FiringResult> FireAsync(Firing firing, CancellationToken ct)
    {
        if (!_gate.Wait(0)) return Skip(firing, "a run of this host is still in progress");
        try
        {
            if (firing.Trigger == RunTrigger.Scheduled && _lastRunFinishedUtc is { } finished && firing.ScheduledFireUtc < finished)
                return Skip(firing, $"it came due while the previous run was in progress (that run finished {finished:u})");
            if (ActiveRunElsewhere() is { } other)
                return Skip(firing, $"run {other} is in progress in another process on this runs folder");
            try
            {
                return await RunWithRetriesAsync(firing, ct).ConfigureAwait(false);
            }
            finally
            {
                _lastRunFinishedUtc = _clock.GetUtcNow();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The host has started, Quartz included: idle from now on. Idle is published only now, so whoever waits for it
    /// (a monitoring script, a test sending SIGTERM) finds a host that stops cleanly; a firing that already began
    /// (or a stop already under way) keeps its state.
    /// </summary>
    public void Serving() => Publish(s => s.State == SchedulerState.Starting ? s with { State = SchedulerState.Idle } : s);

    /// <summary>The host is stopping: the current run (if any) is being cancelled.</summary>
    public void Stopping()
    {
        if (_started) Publish(s => s with { State = SchedulerState.Stopping });
    }

    /// <summary>
    /// The host has stopped. A host stopped before it started (<see cref="Start"/>) leaves the status file as the
    /// previous host left it: it never served, and its own status has not read the earlier successes and failures.
    /// </summary>
    public void Stopped()
    {
        if (_started) Publish(s => s with { State = SchedulerState.Stopped, Current = null });
    }

    private async Task<FiringResult> RunWithRetriesAsync(Firing firing, CancellationToken ct)
    {
        var started = _clock.GetUtcNow();
        _ledger.RecordRunStart(firing, started);
        var attempts = _config.Retry.Attempts;
        string? runId = null;
        var trigger = firing.Trigger.ToString().ToLowerInvariant();
        for (int attempt = 1; ; attempt++)
        {
            var current = new CurrentRun(runId, trigger, firing.ScheduledFireUtc, _clock.GetUtcNow(), attempt, attempts);
            Publish(s => s with { State = SchedulerState.Running, Current = current });
            _log.LogInformation("Firing {Fire:u} ({Trigger}): try {Attempt} of {Attempts}{Resume}.", firing.ScheduledFireUtc, trigger, attempt, attempts,
                runId is null ? "" : $", resuming run {runId}");
            using var timeout = _config.RunTimeout > TimeSpan.Zero ? new CancellationTokenSource(_config.RunTimeout, _clock) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                var request = new RegenerationRequest(firing.Trigger, firing.ScheduledFireUtc, attempt, runId, id =>
                {
                    runId = id;
                    Publish(s => s with { Current = s.Current is null ? null : s.Current with { RunId = id } });
                });
                runId = await _runner.RunAsync(request, linked.Token).ConfigureAwait(false);
                return Succeeded(firing, runId, attempt);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                _log.LogWarning("Run {Run} cancelled because the host is stopping; finished parts are kept and latest-data is unchanged.", runId ?? "(not started)");
                Publish(s => s with
                {
                    Current = null,
                    LastFailure = new RunResultInfo(runId, _clock.GetUtcNow(), attempt, "cancelled: the host stopped", Transient: true),
                });
                return new FiringResult(FiringResultKind.Cancelled, runId, attempt, "the host stopped");
            }
            catch (Exception e)
            {
                var timedOut = timeout.IsCancellationRequested;
                var transient = FailureClassifier.IsTransient(e, timedOut);
                var message = timedOut ? $"the try exceeded runTimeout ({_config.RunTimeout})" : Describe(e);
                if (!transient || attempt >= attempts)
                {
                    _log.LogError("Firing {Fire:u} failed after {Attempt} try(s){Kind}: {Error}", firing.ScheduledFireUtc, attempt,
                        transient ? "" : " (not transient: fix the config or input, retrying would fail the same way)", message);
                    Publish(s => s with
                    {
                        State = SchedulerState.Idle,
                        Current = null,
                        LastFailure = new RunResultInfo(runId, _clock.GetUtcNow(), attempt, message, transient),
                    });
                    return new FiringResult(FiringResultKind.Failed, runId, attempt, message);
                }
                var delay = RetryBackoff.DelayAfter(attempt, _config.Retry);
                var retryAt = _clock.GetUtcNow() + delay;
                _log.LogWarning("Try {Attempt} of firing {Fire:u} failed ({Error}); retrying in {Delay} at {RetryAt:u}.", attempt, firing.ScheduledFireUtc, message, delay, retryAt);
                // The wait starts before the status says so: whoever reads "waiting to retry" may move the clock on.
                var wait = Task.Delay(delay, _clock, ct);
                Publish(s => s with
                {
                    State = SchedulerState.WaitingToRetry,
                    Current = current with { RunId = runId, RetryAtUtc = retryAt, LastError = message },
                });
                try
                {
                    await wait.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    Publish(s => s with
                    {
                        Current = null,
                        LastFailure = new RunResultInfo(runId, _clock.GetUtcNow(), attempt, $"{message} (host stopped before the retry)", true),
                    });
                    return new FiringResult(FiringResultKind.Cancelled, runId, attempt, "the host stopped while waiting to retry");
                }
            }
        }
    }

    private FiringResult Succeeded(Firing firing, string runId, int attempt)
    {
        // Only now, with the run complete and its outcome recorded, do readers of latest-data move to it.
        _store.PointTo(RunStore.LatestData, runId);
        IReadOnlyList<string> pruned = [];
        try
        {
            RunRetention.CleanInterruptedDeletes(_store);
            pruned = RunRetention.Prune(_store, _config.KeepRuns, _config.KeepFailedFor, _clock.GetUtcNow());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The run succeeded; failing to tidy up old ones must not turn that into a failure.
            _log.LogWarning("Pruning old runs failed ({Error}); they are left in place and tried again after the next success.", e.Message);
        }
        _log.LogInformation("Run {Run} succeeded (firing {Fire:u}, {Attempt} try(s)); latest-data -> {Run}.{Pruned}", runId, firing.ScheduledFireUtc, attempt, runId,
            pruned.Count == 0 ? "" : $" Pruned {pruned.Count} old run(s): {string.Join(", ", pruned)}.");
        Publish(s => s with
        {
            State = SchedulerState.Idle,
            Current = null,
            LastSuccess = new RunResultInfo(runId, _clock.GetUtcNow(), attempt),
        });
        return new FiringResult(FiringResultKind.Succeeded, runId, attempt, null);
    }

    private FiringResult Skip(Firing firing, string reason)
    {
        _log.LogWarning("Firing {Fire:u} skipped: {Reason}.", firing.ScheduledFireUtc, reason);
        Publish(s => s with { LastSkipped = new SkippedFiring(firing.ScheduledFireUtc, _clock.GetUtcNow(), reason) });
        return new FiringResult(FiringResultKind.Skipped, null, 0, reason);
    }

    private string? ActiveRunElsewhere() =>
        _store.List().Where(m => m.Outcome is null).Select(m => m.RunId).FirstOrDefault(_store.IsActive);

    private static string Describe(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return e is Core.Errors.PipelineException ? e.Message : $"{e.GetType().Name}: {e.Message}";
    }

    private SchedulerStatus? TryReadStatus()
    {
        try { return _statusFile.Read(); }
        catch (Core.Errors.InputDataException) { return null; }
    }

    private void Publish(Func<SchedulerStatus, SchedulerStatus> change)
    {
        lock (_statusGate)
        {
            var now = _clock.GetUtcNow();
            _status = change(_status) with
            {
                UpdatedUtc = now,
                Schedule = _status.Schedule with { NextFireTimesUtc = Schedule.Upcoming(now, UpcomingShown) },
                LatestData = _store.ReadPointer(RunStore.LatestData),
            };
            _statusFile.Write(_status);
        }
    }
}
