namespace SafeDiffusion.Scheduling.Status;

/// <summary>What the scheduler host is doing. <see cref="Starting"/> lasts until every part of the host (Quartz too) has started.</summary>
public enum SchedulerState { Starting, Idle, Running, WaitingToRetry, Stopping, Stopped }

/// <summary>
/// <c>runs/status.json</c>: the host's own view, rewritten atomically on every change of state, for monitoring
/// scripts and `pipeline status`. Times are UTC.
/// </summary>
public sealed record SchedulerStatus
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required DateTimeOffset UpdatedUtc { get; init; }
    public required SchedulerState State { get; init; }
    public required HostInfo Host { get; init; }
    public required ScheduleInfo Schedule { get; init; }
    public CurrentRun? Current { get; init; }
    public RunResultInfo? LastSuccess { get; init; }
    public RunResultInfo? LastFailure { get; init; }
    public SkippedFiring? LastSkipped { get; init; }
    public string? LatestData { get; init; }
}

/// <param name="Pid">Process id of the host.</param>
public sealed record HostInfo(int Pid, string Machine, DateTimeOffset StartedUtc, string Config, string Version);

public sealed record ScheduleInfo(string Cron, string TimeZone, IReadOnlyList<DateTimeOffset> NextFireTimesUtc);

/// <param name="RunId">Null until the run folder exists.</param>
/// <param name="RetryAtUtc">When waiting to retry: when the next try starts.</param>
public sealed record CurrentRun(
    string? RunId, string Trigger, DateTimeOffset ScheduledFireUtc, DateTimeOffset SinceUtc, int Attempt, int MaxAttempts,
    DateTimeOffset? RetryAtUtc = null, string? LastError = null);

public sealed record RunResultInfo(string? RunId, DateTimeOffset FinishedUtc, int Attempts, string? Error = null, bool? Transient = null);

public sealed record SkippedFiring(DateTimeOffset ScheduledFireUtc, DateTimeOffset SkippedUtc, string Reason);
