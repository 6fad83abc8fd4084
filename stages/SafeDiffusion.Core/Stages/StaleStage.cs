namespace SafeDiffusion.Core.Stages;

/// <summary>
/// A completed stage whose outputs no longer follow from its inputs: a stage it reads has changed (or failed, or
/// lost its outputs) since it ran, directly or further upstream. Its outputs are kept, but they describe inputs
/// the run no longer holds.
/// </summary>
/// <param name="Stage">The stale stage.</param>
/// <param name="ChangedInput">The upstream stage whose outputs changed under it (for a stage stale only because an
/// input of its own is stale: that input).</param>
/// <param name="RerunFrom">Where a rerun must start to refresh it: the first stage downstream of the change
/// (or the changed stage itself when that one did not complete).</param>
public sealed record StaleStage(string Stage, string ChangedInput, string RerunFrom)
{
    /// <summary>The command that refreshes this stage and everything else stale after the same change.</summary>
    public string RefreshCommand(string runId) =>
        $"pipeline run {(RerunFrom.Contains(StageVariant.Separator) ? "compare " : "")}--from {RerunFrom} --run {runId}";

    /// <summary>
    /// One line per change: which stages it left stale, what changed, and the command that refreshes them, e.g.
    /// <c>stale: malicious-finetune, evaluate (safety-train changed since they ran); refresh with `pipeline run --from malicious-finetune --run R`</c>.
    /// </summary>
    public static IReadOnlyList<string> Describe(IReadOnlyList<StaleStage> stale, string runId)
    {
        var names = stale.Select(s => s.Stage).ToHashSet(StringComparer.Ordinal);
        return stale.GroupBy(s => s.RerunFrom, StringComparer.Ordinal)
            .Select(g =>
            {
                var causes = g.Where(s => !names.Contains(s.ChangedInput)).Select(s => s.ChangedInput).Distinct().ToList();
                var why = causes.Count == 0 ? "" : $" ({string.Join(", ", causes)} changed since they ran)";
                return $"stale: {string.Join(", ", g.Select(s => s.Stage))}{why}; refresh with `{g.First().RefreshCommand(runId)}`";
            })
            .ToList();
    }
}
