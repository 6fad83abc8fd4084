using System.Globalization;
using System.Text;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Scheduling.Hosting;

namespace SafeDiffusion.Scheduling.Status;

/// <summary>
/// What `pipeline status` shows: the host's status file (schedule, next firings, current run, last skip) checked
/// against the host's lock, and the runs folder itself (runs in progress with their current stage, last success and
/// last failure with reasons, from the manifests), so it is right with or without a scheduler host.
/// </summary>
public sealed record StatusReport
{
    public required string RunsRoot { get; init; }
    public required DateTimeOffset GeneratedUtc { get; init; }
    /// <summary>True when a `pipeline serve` holds this runs folder now.</summary>
    public required bool SchedulerRunning { get; init; }
    /// <summary>The host's last status file, if any host ever ran here (possibly stale: see <see cref="SchedulerRunning"/>).</summary>
    public SchedulerStatus? Scheduler { get; init; }
    public IReadOnlyList<RunningRun> Running { get; init; } = [];
    public string? LatestData { get; init; }
    public RunSummary? LastSuccess { get; init; }
    public RunSummary? LastFailure { get; init; }

    public static StatusReport Build(string runsRoot, DateTimeOffset now)
    {
        var store = new RunStore(runsRoot);
        var manifests = store.List().ToList();
        var running = new List<RunningRun>();
        RunSummary? success = null, failure = null;
        foreach (var m in manifests)
        {
            if (m.Outcome is null && store.IsActive(m.RunId))
            {
                var stage = m.Stages.Where(s => s.Value.Status == StageStatus.Running).OrderBy(s => s.Value.StartedUtc).FirstOrDefault();
                running.Add(new RunningRun(m.RunId, stage.Key, stage.Value?.StartedUtc ?? m.CreatedUtc, m.CreatedUtc, m.Shard));
                continue;
            }
            var summary = Summarize(m);
            if (summary is null) continue;
            if (summary.Status == RunStatus.Succeeded) success ??= summary;
            else failure ??= summary;
        }
        return new StatusReport
        {
            RunsRoot = store.Root,
            GeneratedUtc = now,
            SchedulerRunning = ServeLock.IsHeld(store.Root),
            Scheduler = new StatusFile(store.Root).Read(),
            Running = running,
            LatestData = store.ReadPointer(RunStore.LatestData),
            LastSuccess = success,
            LastFailure = failure,
        };
    }

    /// <summary>How a finished run ended: its recorded outcome, or for runs without one, what its stages say.</summary>
    private static RunSummary? Summarize(RunManifest m)
    {
        var stale = RunPlanner.StaleStages(m);
        if (m.Outcome is { } o)
            return new RunSummary(m.RunId, o.Status, o.FinishedUtc, o.Trigger.ToString().ToLowerInvariant(), o.Graph, o.Error, m.Shard, stale);
        if (m.Stages.Count == 0) return null;
        var finished = m.Stages.Values.Select(s => s.FinishedUtc ?? s.StartedUtc).Max() ?? m.CreatedUtc;
        if (m.Stages.FirstOrDefault(s => s.Value.Status == StageStatus.Failed) is { Key: { } failed } f)
            return new RunSummary(m.RunId, RunStatus.Failed, finished, "manual", null, $"stage {failed}: {f.Value.Error}", m.Shard, stale);
        // Not active (the caller checked): a stage still "running" means its process died without recording an end.
        if (m.Stages.Values.Any(s => s.Status == StageStatus.Running))
            return new RunSummary(m.RunId, RunStatus.Crashed, finished, "manual", null, Runs.CrashedRuns.Reason, m.Shard, stale);
        if (m.Stages.Values.Any(s => s.Status == StageStatus.Cancelled))
            return new RunSummary(m.RunId, RunStatus.Cancelled, finished, "manual", null, "cancelled before it finished", m.Shard, stale);
        return m.Stages.Values.All(s => s.Status == StageStatus.Completed)
            ? new RunSummary(m.RunId, RunStatus.Succeeded, finished, "manual", null, null, m.Shard, stale)
            : null;
    }

    /// <summary>The report as text, times in UTC and in the schedule's zone.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"runs: {RunsRoot}");
        var s = Scheduler;
        if (SchedulerRunning && s is not null)
            sb.AppendLine($"scheduler: {Describe(s.State)} (pid {s.Host.Pid} on {s.Host.Machine}, since {Time(s.Host.StartedUtc)}, config {s.Host.Config})");
        else if (SchedulerRunning)
            sb.AppendLine("scheduler: running (it has not written runs/status.json yet)");
        else if (s is not null)
            sb.AppendLine($"scheduler: not running (last seen {Time(s.UpdatedUtc)}, state then: {Describe(s.State)}); start it with `pipeline serve --config FILE`");
        else
            sb.AppendLine("scheduler: none has served this runs folder (`pipeline serve --config FILE` starts one)");
        if (s is not null)
        {
            var zone = FindZone(s.Schedule.TimeZone);
            var next = s.Schedule.NextFireTimesUtc.Where(t => t > GeneratedUtc).Select(t => Zoned(t, zone)).ToList();
            sb.AppendLine($"schedule: {s.Schedule.Cron} ({s.Schedule.TimeZone}); next: {(SchedulerRunning && next.Count > 0 ? string.Join(", ", next) : "(no host running)")}");
            if (SchedulerRunning && s.Current is { } c)
            {
                var what = s.State == SchedulerState.WaitingToRetry
                    ? $"waiting to retry (try {c.Attempt} of {c.MaxAttempts} failed: {c.LastError}); next try {Time(c.RetryAtUtc ?? GeneratedUtc)}"
                    : $"try {c.Attempt} of {c.MaxAttempts}";
                sb.AppendLine($"current firing: {Time(c.ScheduledFireUtc)} ({c.Trigger}), run {c.RunId ?? "(starting)"}, {what}");
            }
            if (s.LastSkipped is { } skip) sb.AppendLine($"last skipped firing: {Time(skip.ScheduledFireUtc)}: {skip.Reason}");
        }
        if (Running.Count == 0) sb.AppendLine("running: nothing");
        foreach (var r in Running)
            sb.AppendLine($"running: {r.RunId}{(r.Shard is null ? "" : $" (shard {r.Shard})")}, stage {r.Stage ?? "(between stages)"} since {Time(r.StageSinceUtc)}, run started {Time(r.StartedUtc)}");
        sb.AppendLine($"latest-data: {LatestData ?? "(none yet)"}");
        sb.AppendLine($"last success: {Describe(LastSuccess)}");
        foreach (var line in StaleLines(LastSuccess)) sb.AppendLine($"  {line}");
        sb.AppendLine($"last failure: {Describe(LastFailure)}");
        if (LastFailure?.RunId != LastSuccess?.RunId)
            foreach (var line in StaleLines(LastFailure)) sb.AppendLine($"  {line}");
        return sb.ToString();
    }

    private static string Describe(RunSummary? r) => r is null
        ? "(none)"
        : $"{r.RunId}{(r.Status == RunStatus.Crashed ? " CRASHED" : "")}, finished {Time(r.FinishedUtc)} ({r.Trigger}{(r.Graph is null ? "" : $", {r.Graph}")}{(r.Shard is null ? "" : $", shard {r.Shard}")})" +
          (r.Error is null ? "" : $": {r.Error}");

    private static IReadOnlyList<string> StaleLines(RunSummary? r) => r is null ? [] : StaleStage.Describe(r.Stale, r.RunId);

    private static string Describe(SchedulerState state) => state switch
    {
        SchedulerState.WaitingToRetry => "waiting to retry",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Zoned(DateTimeOffset t, TimeZoneInfo? zone) => zone is null
        ? Time(t)
        : $"{TimeZoneInfo.ConvertTime(t, zone):yyyy-MM-dd HH:mm zzz}";

    private static TimeZoneInfo? FindZone(string id) => Timing.CronSchedule.TryFindTimeZone(id, out var z) ? z : null;
}

/// <param name="Stage">The stage running now (null between stages).</param>
public sealed record RunningRun(string RunId, string? Stage, DateTimeOffset StageSinceUtc, DateTimeOffset StartedUtc, string? Shard);

/// <param name="Stale">Completed stages of the run whose inputs have changed since they ran (see <see cref="RunPlanner.StaleStages"/>).</param>
public sealed record RunSummary(string RunId, RunStatus Status, DateTimeOffset FinishedUtc, string Trigger, string? Graph, string? Error, string? Shard,
    IReadOnlyList<StaleStage> Stale);
