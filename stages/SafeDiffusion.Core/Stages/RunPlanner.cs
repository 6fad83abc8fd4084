using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// The planning phase of a graph execution, and what it rests on: a stage's fingerprint (what it was made from), and
/// which completed stages are stale because something they read has changed since. Reads the run's manifest only;
/// executes nothing.
/// </summary>
public static class RunPlanner
{
    /// <summary>
    /// Which of the selected stages execute, which are skipped as up to date, which completed stages are replayed to
    /// feed them (a completed stage whose config section changed since it ran executes instead), which resume an
    /// unfinished execution, which start from nothing, and which stay stale.
    /// </summary>
    /// <exception cref="UsageException">A stage of <paramref name="selection"/> is not in the graph, or an executing
    /// stage needs the outputs of a stage that has not completed in the run (the message names the fix).</exception>
    public static RunPlan Plan(StageGraph graph, StageConfigs configs, Run run, RunSelection selection)
    {
        foreach (var name in selection.Execute) _ = graph[name];
        var executing = new HashSet<string>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var stage in graph.Stages.Where(s => selection.Execute.Contains(s.Name)))
        {
            var record = run.Stage(stage.Name);
            bool inputsSettled = graph.DependenciesOf(stage.Name).All(d => !executing.Contains(d));
            if (!selection.Force && inputsSettled && record.Status == StageStatus.Completed
                && record.Fingerprint == Fingerprint(graph, configs, run, stage.Name))
            {
                skipped.Add(stage.Name);
                continue;
            }
            executing.Add(stage.Name);
        }
        // A completed stage that feeds an executing one but whose config section has changed since it ran (the
        // control's section follows safety-train's) would hand on outputs made with other settings: it executes too.
        for (bool added = true; added;)
        {
            added = false;
            foreach (var name in graph.Stages.Select(s => s.Name).Where(executing.Contains).ToList())
            foreach (var dep in graph.DependenciesOf(name))
            {
                var record = run.Stage(dep);
                if (executing.Contains(dep) || record.Status != StageStatus.Completed || record.ConfigSha256 is not { } ran || ran == configs.HashOf(dep)) continue;
                executing.Add(dep);
                skipped.Remove(dep);
                added = true;
            }
        }
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in executing)
        foreach (var dep in graph.DependenciesOf(name))
            if (!executing.Contains(dep)) needed.Add(dep);
        var missing = graph.Stages.Select(s => s.Name).Where(n => needed.Contains(n) && run.Stage(n).Status != StageStatus.Completed).ToList();
        if (missing.Count > 0)
            throw new UsageException(
                $"Run {run.Id} has no completed output of {string.Join(", ", missing)}, which {string.Join(", ", graph.Stages.Select(s => s.Name).Where(e => executing.Contains(e) && graph.DependenciesOf(e).Any(missing.Contains)))} needs. " +
                $"Run those stages first (`pipeline run {missing[0]} --run {run.Id}`) or use --from {missing[0]}.");

        var order = graph.Stages.Select(s => s.Name).ToList();
        var execute = order.Where(executing.Contains).ToList();
        // Only recorded inputs (records that flow) are replayed; a stage that is only read is read from its artifacts.
        var replay = order.Where(n => needed.Contains(n) && graph.Stages.Any(e => executing.Contains(e.Name) && e.Inputs.Contains(n))).ToList();
        var resume = selection.Force ? [] : execute.Where(n => run.Stage(n).Status is StageStatus.Running or StageStatus.Failed or StageStatus.Cancelled).ToList();
        var discard = selection.Force ? execute : [];
        var stale = StaleStages(run.Manifest).Where(s => graph.Contains(s.Stage) && !executing.Contains(s.Stage)).ToList();
        return new RunPlan(execute, skipped, replay, resume, discard, stale);
    }

    /// <summary>
    /// Equal fingerprints mean the stage would see the same inputs: same config section, same root seed, and the same
    /// artifacts (by hash) from every stage it reads.
    /// </summary>
    public static string Fingerprint(StageGraph graph, StageConfigs configs, Run run, string stage)
    {
        var parts = new List<string> { stage, configs.HashOf(stage), run.Manifest.Shard ?? "" };
        // Only a seed other than the run's is added, so the fingerprints of runs over one seed stay as they were.
        if (graph.RootSeedOf(stage) is { } seed) parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"root-seed:{seed}"));
        foreach (var dep in graph.DependenciesOf(stage).OrderBy(d => d, StringComparer.Ordinal))
        {
            parts.Add(dep);
            parts.AddRange(run.Stage(dep).Artifacts.OrderBy(a => a.Path, StringComparer.Ordinal).Select(a => $"{a.Path}:{a.Sha256}"));
        }
        return FileHash.Sha256(parts[0], [.. parts.Skip(1)]);
    }

    /// <summary>What a stage's outputs are, by content: the hash of its artifacts' paths and hashes.</summary>
    public static string OutputsDigest(StageRecord record) =>
        FileHash.Sha256("outputs", [.. record.Artifacts.OrderBy(a => a.Path, StringComparer.Ordinal).Select(a => $"{a.Path}:{a.Sha256}")]);

    /// <summary>The outputs digest of every stage <paramref name="stage"/> reads, as it is now: recorded when it completes.</summary>
    public static IReadOnlyDictionary<string, string> InputDigests(StageGraph graph, Run run, string stage) =>
        graph.DependenciesOf(stage).ToDictionary(d => d, d => OutputsDigest(run.Stage(d)), StringComparer.Ordinal);

    /// <summary>
    /// The completed stages of <paramref name="manifest"/> whose recorded inputs (<see cref="StageRecord.InputDigests"/>)
    /// no longer match the outputs their upstream stages hold now, or whose upstream stage is itself stale, in an
    /// order where upstream stages come first. Stages recorded without input digests are never reported.
    /// </summary>
    public static IReadOnlyList<StaleStage> StaleStages(RunManifest manifest)
    {
        var verdicts = new Dictionary<string, StaleStage?>(StringComparer.Ordinal);
        var order = new List<StaleStage>();
        foreach (var name in manifest.Stages.Keys.Order(StringComparer.Ordinal)) Judge(name, []);
        return order;

        StaleStage? Judge(string name, HashSet<string> visiting)
        {
            if (verdicts.TryGetValue(name, out var known)) return known;
            var record = manifest.Stage(name);
            if (record is not { Status: StageStatus.Completed, InputDigests: { } inputs } || !visiting.Add(name)) return null;
            StaleStage? verdict = null;
            foreach (var (input, digest) in inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                // Upstream verdicts first, so the list runs from the change downwards.
                var staleInput = Judge(input, visiting);
                var upstream = manifest.Stage(input);
                if (upstream is not { Status: StageStatus.Completed })
                    verdict ??= new StaleStage(name, input, input);
                else if (OutputsDigest(upstream) != digest)
                    verdict ??= new StaleStage(name, input, name);
                else if (staleInput is not null)
                    verdict ??= new StaleStage(name, input, staleInput.RerunFrom);
            }
            visiting.Remove(name);
            verdicts[name] = verdict;
            if (verdict is not null) order.Add(verdict);
            return verdict;
        }
    }
}
