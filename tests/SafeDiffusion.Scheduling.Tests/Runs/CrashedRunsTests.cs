using Microsoft.Extensions.Time.Testing;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Runs;
using SafeDiffusion.Scheduling.Status;
using SafeDiffusion.Scheduling.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Scheduling.Tests.Runs;

public sealed class CrashedRunsTests : IDisposable
{
    private readonly TempDirectory _dir = new("crashed");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 6, 1, 2, 0, 0, TimeSpan.Zero));

    // A run whose process got as far as starting a stage; disposing releases its lock as the kernel does for a dead process.
    private Run RunningStage(RunStore store, string stage)
    {
        var run = RunFactory.Open(store, _clock);
        run.UpdateStage(stage, s => s with { Status = StageStatus.Running, StartedUtc = _clock.GetUtcNow() });
        return run;
    }

    [Fact]
    public void A_run_left_running_by_a_dead_process_is_marked_crashed_and_status_says_so()
    {
        var store = new RunStore(_dir.File("runs"));
        string id;
        using (var run = RunningStage(store, "harmful-prompts")) id = run.Id;
        _clock.Advance(TimeSpan.FromHours(1));

        var marked = CrashedRuns.MarkAll(store, _clock.GetUtcNow());

        Assert.Equal([id], marked);
        var outcome = store.ReadManifest(id).Outcome!;
        Assert.Equal(RunStatus.Crashed, outcome.Status);
        Assert.Equal(_clock.GetUtcNow(), outcome.FinishedUtc);
        Assert.Contains("harmful-prompts", outcome.Error);
        var report = StatusReport.Build(store.Root, _clock.GetUtcNow());
        Assert.Equal(RunStatus.Crashed, report.LastFailure?.Status);
        Assert.Contains($"last failure: {id} CRASHED", report.Render());
        Assert.Empty(CrashedRuns.MarkAll(store, _clock.GetUtcNow()));
    }

    [Fact]
    public void A_run_whose_process_still_holds_it_is_left_running()
    {
        var store = new RunStore(_dir.File("runs"));
        using var live = RunningStage(store, "images");

        Assert.Empty(CrashedRuns.MarkAll(store, _clock.GetUtcNow()));
        Assert.Null(store.ReadManifest(live.Id).Outcome);
        Assert.Equal(live.Id, Assert.Single(StatusReport.Build(store.Root, _clock.GetUtcNow()).Running).RunId);
    }

    [Fact]
    public void Before_it_is_marked_a_dead_run_already_shows_as_crashed_in_status()
    {
        var store = new RunStore(_dir.File("runs"));
        string id;
        using (var run = RunningStage(store, "images")) id = run.Id;

        var report = StatusReport.Build(store.Root, _clock.GetUtcNow());

        Assert.Empty(report.Running);
        Assert.Equal(id, report.LastFailure?.RunId);
        Assert.Equal(RunStatus.Crashed, report.LastFailure?.Status);
    }

    public void Dispose() => _dir.Dispose();
}
