using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Scheduling.Runs;

/// <summary>
/// Deletes old scheduled data runs: successful ones beyond the newest <c>keepRuns</c>, failed or cancelled ones
/// older than <c>keepFailedFor</c>. Only runs the scheduler started are touched (manual and sharded runs never),
/// never the run <c>latest-data</c> or <c>latest</c> names, never a run a live process holds, never one without an
/// outcome (killed mid-way: it may be resumed). Run ids come from folder names, never from a manifest: a folder
/// whose manifest names another run (a copied run, a hand edit, a <c>runId</c> of <c>../x</c>) is left alone, and
/// only a real folder directly inside the runs folder is ever deleted.
/// </summary>
public static class RunRetention
{
    public static IReadOnlyList<string> Prune(RunStore store, int keepRuns, TimeSpan keepFailedFor, DateTimeOffset now, string graph = "data")
    {
        var protectedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pointer in new[] { RunStore.LatestData, RunStore.Latest })
            if (store.ReadPointer(pointer) is { } id) protectedIds.Add(id);

        var scheduled = store.ListStored()
            .Where(r => r.IdsAgree)
            .Where(r => r.Manifest.Outcome is { Trigger: RunTrigger.Scheduled or RunTrigger.Missed } o && o.Graph == graph && r.Manifest.Shard is null)
            .ToList();
        var doomed = new List<string>();
        doomed.AddRange(scheduled
            .Where(r => r.Manifest.Outcome!.Status == RunStatus.Succeeded)
            .OrderByDescending(r => r.Manifest.Outcome!.FinishedUtc)
            .Skip(keepRuns)
            .Select(r => r.FolderId));
        doomed.AddRange(scheduled
            .Where(r => r.Manifest.Outcome!.Status != RunStatus.Succeeded && now - r.Manifest.Outcome.FinishedUtc > keepFailedFor)
            .Select(r => r.FolderId));

        var deleted = new List<string>();
        foreach (var id in doomed)
        {
            if (protectedIds.Contains(id) || store.FolderInside(id) is not { } folder || store.IsActive(id)) continue;
            Delete(store, id, folder);
            deleted.Add(id);
        }
        return deleted;
    }

    /// <summary>Finishes deletions a stopped host left half done (folders renamed to <c>.deleting-*</c>).</summary>
    public static int CleanInterruptedDeletes(RunStore store)
    {
        if (!Directory.Exists(store.Root)) return 0;
        int removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(store.Root, ".deleting-*"))
        {
            Directory.Delete(dir, recursive: true);
            removed++;
        }
        return removed;
    }

    private static void Delete(RunStore store, string id, string dir)
    {
        // Renamed first, so listings stop showing it at once even if the recursive delete is slow or interrupted.
        var doomed = Path.Combine(store.Root, $".deleting-{id}-{Guid.NewGuid():N}");
        Directory.Move(dir, doomed);
        Directory.Delete(doomed, recursive: true);
    }
}
