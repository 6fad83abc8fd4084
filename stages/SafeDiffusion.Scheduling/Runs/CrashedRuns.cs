using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Scheduling.Runs;

/// <summary>
/// Finds runs left "running" by a process that died (a stage still marked running, no outcome, and no live owner:
/// nobody holds the run's lock, which the kernel drops when its holder dies) and records them as
/// <see cref="RunStatus.Crashed"/>, so `pipeline status` and the run's manifest say what happened instead of
/// showing a run that runs forever. The run's files are left as they are: it can still be resumed with --run.
/// </summary>
public static class CrashedRuns
{
    public const string Reason = "the process running it ended without recording an outcome (killed, or a native crash)";

    /// <summary>Marks every such run; returns their ids. A run whose manifest names another folder is left alone.</summary>
    public static IReadOnlyList<string> MarkAll(RunStore store, DateTimeOffset now)
    {
        var marked = new List<string>();
        foreach (var stored in store.ListStored())
        {
            var m = stored.Manifest;
            if (!stored.IdsAgree || m.Outcome is not null || !m.Stages.Values.Any(s => s.Status == StageStatus.Running)) continue;
            if (store.FolderInside(stored.FolderId) is null || store.IsActive(stored.FolderId)) continue;
            try
            {
                using var run = store.Open(stored.FolderId);
                // Checked again under the lock: its owner may have finished between the listing and now.
                if (run.Manifest.Outcome is not null) continue;
                var stage = run.Manifest.Stages.Where(s => s.Value.Status == StageStatus.Running).Select(s => s.Key).FirstOrDefault();
                run.RecordOutcome(new RunOutcome
                {
                    Status = RunStatus.Crashed,
                    FinishedUtc = now,
                    Error = stage is null ? Reason : $"{Reason}, during stage {stage}",
                });
                marked.Add(stored.FolderId);
            }
            catch (PipelineException e) when (e.ExitCode == ExitCodes.Locked)
            {
                // A process took it up since the listing (a resume): it is not crashed.
            }
        }
        return marked;
    }
}
