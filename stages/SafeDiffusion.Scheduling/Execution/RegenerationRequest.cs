using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Scheduling.Execution;

/// <summary>One try of a firing.</summary>
/// <param name="ResumeRunId">A run an earlier try of this firing created: retries resume it, keeping finished parts.</param>
/// <param name="RunCreated">Called with the run id once the run folder exists.</param>
public sealed record RegenerationRequest(
    RunTrigger Trigger,
    DateTimeOffset ScheduledFireUtc,
    int Attempt,
    string? ResumeRunId,
    Action<string> RunCreated);
