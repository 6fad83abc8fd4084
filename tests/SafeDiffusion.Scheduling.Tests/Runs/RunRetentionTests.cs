using Microsoft.Extensions.Time.Testing;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Runs;
using SafeDiffusion.Scheduling.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Scheduling.Tests.Runs;

public sealed class RunRetentionTests : IDisposable
{
    private readonly TempDirectory _dir = new("retention");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 6, 1, 2, 0, 0, TimeSpan.Zero));

    private string Finished(RunStore store, RunStatus status, RunTrigger trigger, int daysAgo, string graph = "data")
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        return RunFactory.Finished(store, _clock, status, trigger, _clock.GetUtcNow() - TimeSpan.FromDays(daysAgo), graph);
    }

    [Fact]
    public void The_newest_successful_runs_are_kept_and_latest_data_survives_even_when_older()
    {
        var store = new RunStore(_dir.File("runs"));
        var ids = Enumerable.Range(0, 5).Select(i => Finished(store, RunStatus.Succeeded, RunTrigger.Scheduled, daysAgo: 5 - i)).ToList();
        // latest-data names the oldest one (say a newer run was rolled back by hand): it must not go.
        store.PointTo(RunStore.LatestData, ids[0]);

        var deleted = RunRetention.Prune(store, keepRuns: 2, keepFailedFor: TimeSpan.FromDays(7), _clock.GetUtcNow());

        Assert.Equal([ids[1], ids[2]], deleted.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { ids[0], ids[3], ids[4] }.Order(StringComparer.Ordinal), store.List().Select(m => m.RunId).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.EnumerateDirectories(store.Root, ".deleting-*"));
    }

    [Fact]
    public void Failed_runs_are_kept_for_the_failure_window_and_manual_runs_are_never_touched()
    {
        var store = new RunStore(_dir.File("runs"));
        var oldFailure = Finished(store, RunStatus.Failed, RunTrigger.Scheduled, daysAgo: 9);
        var recentFailure = Finished(store, RunStatus.Cancelled, RunTrigger.Missed, daysAgo: 2);
        var manualOld = Finished(store, RunStatus.Succeeded, RunTrigger.Manual, daysAgo: 30);
        var manualFailed = Finished(store, RunStatus.Failed, RunTrigger.Manual, daysAgo: 30);
        var fullGraph = Finished(store, RunStatus.Succeeded, RunTrigger.Scheduled, daysAgo: 20, graph: "full");
        var newest = Finished(store, RunStatus.Succeeded, RunTrigger.Scheduled, daysAgo: 0);
        store.PointTo(RunStore.LatestData, newest);

        var deleted = RunRetention.Prune(store, keepRuns: 1, keepFailedFor: TimeSpan.FromDays(7), _clock.GetUtcNow());

        Assert.Equal([oldFailure], deleted);
        var left = store.List().Select(m => m.RunId).ToHashSet();
        Assert.Equal(new HashSet<string> { recentFailure, manualOld, manualFailed, fullGraph, newest }, left);
    }

    [Fact]
    public void A_run_a_live_process_holds_is_not_deleted()
    {
        var store = new RunStore(_dir.File("runs"));
        using var held = RunFactory.Open(store, _clock);
        held.RecordOutcome(new RunOutcome { Status = RunStatus.Failed, FinishedUtc = _clock.GetUtcNow() - TimeSpan.FromDays(30), Trigger = RunTrigger.Scheduled, Graph = "data" });
        Assert.True(store.IsActive(held.Id));
        // A newer run takes the latest and latest-data pointers, so only the lock protects the held run.
        store.PointTo(RunStore.LatestData, Finished(store, RunStatus.Succeeded, RunTrigger.Scheduled, daysAgo: 0));
        Assert.NotEqual(held.Id, store.ReadPointer(RunStore.Latest));

        var deleted = RunRetention.Prune(store, keepRuns: 1, keepFailedFor: TimeSpan.FromDays(7), _clock.GetUtcNow());

        Assert.Empty(deleted);
        Assert.True(Directory.Exists(held.Directory));
    }

    // Rewrites a run's manifest with another runId, as a hand edit or a hostile file would.
    private static void SetManifestRunId(RunStore store, string folder, string runId)
    {
        var path = Path.Combine(store.Root, folder, RunStore.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        json["runId"] = runId;
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public void A_manifest_naming_a_folder_outside_the_runs_folder_deletes_nothing()
    {
        var store = new RunStore(_dir.File("runs"));
        var victim = _dir.File("victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "keep.txt"), "precious");
        var hostile = Finished(store, RunStatus.Failed, RunTrigger.Scheduled, daysAgo: 30);
        SetManifestRunId(store, hostile, "../victim");
        store.PointTo(RunStore.LatestData, Finished(store, RunStatus.Succeeded, RunTrigger.Scheduled, daysAgo: 0));

        var deleted = RunRetention.Prune(store, keepRuns: 1, keepFailedFor: TimeSpan.FromDays(7), _clock.GetUtcNow());

        Assert.Empty(deleted);
        Assert.True(File.Exists(Path.Combine(victim, "keep.txt")));
        Assert.True(Directory.Exists(Path.Combine(store.Root, hostile)));
    }

    [Fact]
    public void A_copied_run_whose_manifest_names_the_original_is_refused_and_the_original_kept()
    {
        var store = new RunStore(_dir.File("runs"));
        var original = Finished(store, RunStatus.Failed, RunTrigger.Scheduled, daysAgo: 30);
        var copy = "20990101-000000-copy-0000";
        CopyFolder(Path.Combine(store.Root, original), Path.Combine(store.Root, copy));
        store.PointTo(RunStore.LatestData, Finished(store, RunStatus.Succeeded, RunTrigger.Scheduled, daysAgo: 0));

        var deleted = RunRetention.Prune(store, keepRuns: 1, keepFailedFor: TimeSpan.FromDays(7), _clock.GetUtcNow());

        // The original is old and failed: pruned by its own folder name. The copy says it is the original: left alone.
        Assert.Equal([original], deleted);
        Assert.True(Directory.Exists(Path.Combine(store.Root, copy)));
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from).Where(f => !Path.GetFileName(f).StartsWith(".lock", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    public void Dispose() => _dir.Dispose();
}
