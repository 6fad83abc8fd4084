using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Scheduling.Execution;

/// <summary>A moment the schedule asked for a run: a cron firing, or the catch-up of one missed while the host was down.</summary>
public sealed record Firing(RunTrigger Trigger, DateTimeOffset ScheduledFireUtc);

public enum FiringResultKind { Succeeded, Failed, Cancelled, Skipped }

/// <summary>What became of a firing.</summary>
/// <param name="Reason">Why it was skipped, or the last error.</param>
public sealed record FiringResult(FiringResultKind Kind, string? RunId, int Attempts, string? Reason);
