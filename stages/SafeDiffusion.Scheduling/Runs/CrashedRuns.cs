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

    /// <summary>
    /// Marks one run whose process is known to have died (its <paramref name="detail"/> says how), whether or not a
    /// stage had started. Returns false, changing nothing, when the run already has an outcome, is missing, or a
    /// live process holds it.
    /// </summary>
    /// <param name="started">What started the run (trigger, fire time, attempt), recorded in the outcome like a finished run's.</param>
    public static bool Mark(RunStore store, string runId, DateTimeOffset now, string detail, RunOutcome started)
    {
        if (store.FolderInside(runId) is null || store.IsActive(runId)) return false;
        try
        {
            using var run = store.Open(runId);
            if (run.Manifest.Outcome is not null) return false;
            var stage = run.Manifest.Stages.Where(s => s.Value.Status == StageStatus.Running).Select(s => s.Key).FirstOrDefault();
            run.RecordOutcome(started with
            {
                Status = RunStatus.Crashed,
                FinishedUtc = now,
                Error = stage is null ? $"{Reason}: {detail}" : $"{Reason}, during stage {stage}: {detail}",
            });
            return true;
        }
        catch (PipelineException e) when (e.ExitCode == ExitCodes.Locked)
        {
            return false;
        }
    }

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
