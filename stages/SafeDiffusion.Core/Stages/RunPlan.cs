namespace SafeDiffusion.Core.Stages;

/// <summary>
/// What one execution of a graph over a run does, decided before anything runs (<see cref="RunPlanner.Plan"/>).
/// Every list is in the graph's order.
/// </summary>
/// <param name="Execute">Stages that execute now.</param>
/// <param name="Skip">Selected stages left as they are: completed, with the same fingerprint, and no input executing.</param>
/// <param name="Replay">Completed stages whose recorded outputs are read back to feed a stage that executes.</param>
/// <param name="Resume">Executing stages an earlier execution left unfinished: what it wrote is kept where its
/// fingerprint still matches (each stage's output folders decide), so they continue rather than start over.</param>
/// <param name="Discard">Executing stages whose folders are emptied first (<c>--force</c>): they start from nothing.</param>
/// <param name="Stale">Stages of the graph that are stale in the run now and do not execute in this plan.</param>
public sealed record RunPlan(
    IReadOnlyList<string> Execute,
    IReadOnlyList<string> Skip,
    IReadOnlyList<string> Replay,
    IReadOnlyList<string> Resume,
    IReadOnlyList<string> Discard,
    IReadOnlyList<StaleStage> Stale);
