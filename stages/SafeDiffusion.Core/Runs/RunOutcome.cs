namespace SafeDiffusion.Core.Runs;

/// <summary>
/// How a run ended as a whole. <see cref="Crashed"/>: the process running it died without recording an end (killed,
/// or a native crash); recorded by the next `pipeline serve` to start on the runs folder.
/// </summary>
public enum RunStatus { Succeeded, Failed, Cancelled, Crashed }

/// <summary>What started a run: a person (or a script, such as a systemd timer), a scheduled firing, or a catch-up of a missed firing.</summary>
public enum RunTrigger { Manual, Scheduled, Missed }

/// <summary>
/// The end of a run, written into its manifest by whoever ran it: whether it succeeded, why not, and what started
/// it. `pipeline status` reads the last success and failure from these; the scheduler prunes only runs it started.
/// </summary>
public sealed record RunOutcome
{
    public required RunStatus Status { get; init; }
    public required DateTimeOffset FinishedUtc { get; init; }
    /// <summary>The graph that ran (<c>data</c>, <c>full</c>), or the stages when fewer than a whole graph ran.</summary>
    public string? Graph { get; init; }
    public RunTrigger Trigger { get; init; } = RunTrigger.Manual;
    /// <summary>For scheduled runs: the firing this run served.</summary>
    public DateTimeOffset? ScheduledFireUtc { get; init; }
    /// <summary>Tries of the firing that went into this run (retries resume the same run).</summary>
    public int Attempts { get; init; } = 1;
    public string? Error { get; init; }
}
