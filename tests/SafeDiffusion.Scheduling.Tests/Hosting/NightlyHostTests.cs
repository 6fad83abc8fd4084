using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Execution;
using SafeDiffusion.Scheduling.Hosting;
using SafeDiffusion.Scheduling.Runs;
using SafeDiffusion.Scheduling.Status;
using SafeDiffusion.Scheduling.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Scheduling.Tests.Hosting;

/// <summary>The scheduler host end to end (Quartz, Generic Host, coordinator, status file) on a fake clock.</summary>
public sealed class NightlyHostTests : IDisposable
{
    private readonly TempDirectory _dir = new("nightly-host");

    private string Runs => _dir.File("runs");

    private static DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_schedule_fires_at_the_cron_time_in_its_zone_and_switches_latest_data_after_success()
    {
        // 02:00 in Berlin on 1 March (UTC+1) is 01:00Z; the host starts at 01:58 Berlin time.
        await using var host = new HostHarness(Runs, new ScheduleConfig { Cron = "0 2 * * *", TimeZone = "Europe/Berlin" }, Utc(3, 1, 0, 58));
        await host.StartAsync();
        var idle = await host.StatusWhenAsync(s => s.State == SchedulerState.Idle, "idle after start");
        Assert.Equal(Utc(3, 1, 1, 0), idle.Schedule.NextFireTimesUtc[0]);
        await host.ExpectNoTryAsync("nothing is due before 02:00 Berlin time");

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        await host.ExpectTryAsync("the 02:00 firing");

        var request = Assert.Single(host.Runner.Requests);
        Assert.Equal((RunTrigger.Scheduled, Utc(3, 1, 1, 0), 1, (string?)null), (request.Trigger, request.ScheduledFireUtc, request.Attempt, request.ResumeRunId));
        var done = await host.StatusWhenAsync(s => s.LastSuccess is not null, "a recorded success");
        Assert.Equal(done.LastSuccess!.RunId, host.Store.ReadPointer(RunStore.LatestData));
        Assert.Equal(done.LastSuccess.RunId, done.LatestData);
        Assert.Equal(SchedulerState.Idle, done.State);
        Assert.Equal(Utc(3, 2, 1, 0), done.Schedule.NextFireTimesUtc[0]);
        Assert.Equal(RunStatus.Succeeded, host.Store.ReadManifest(done.LastSuccess.RunId!).Outcome!.Status);
    }

    [Fact]
    public async Task A_firing_that_comes_due_during_a_run_is_skipped_not_queued()
    {
        await using var host = new HostHarness(Runs, new ScheduleConfig { Cron = "*/5 * * * *" }, Utc(3, 1, 0, 4));
        var release = new TaskCompletionSource();
        host.Runner.Then(ct => release.Task.WaitAsync(ct));
        await host.StartAsync();
        await host.StatusWhenAsync(s => s.State == SchedulerState.Idle, "idle after start");

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await host.ExpectTryAsync("the 00:05 firing");
        for (int i = 0; i < 6; i++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(30);
        }
        // 00:11 now: the 00:10 firing came due while the 00:05 run was going.
        await host.ExpectNoTryAsync("the 00:10 firing overlaps the running 00:05 run");
        release.SetResult();
        await host.StatusWhenAsync(s => s.LastSuccess is not null, "the 00:05 run's success");
        await host.ExpectNoTryAsync("the overlapped 00:10 firing must not run after the first one ends");

        host.Clock.Advance(TimeSpan.FromMinutes(4));
        await host.ExpectTryAsync("the 00:15 firing");
        Assert.Equal([Utc(3, 1, 0, 5), Utc(3, 1, 0, 15)], host.Runner.Requests.Select(r => r.ScheduledFireUtc));
    }

    [Fact]
    public async Task A_firing_missed_while_no_host_ran_is_caught_up_once_on_start()
    {
        // The last run started for the 1 March firing; the host was down for the 2 and 3 March ones.
        new ScheduleLedger(Runs).RecordRunStart(new Firing(RunTrigger.Scheduled, Utc(3, 1, 2, 0)), Utc(3, 1, 2, 0).AddSeconds(3));
        await using var host = new HostHarness(Runs, new ScheduleConfig { Cron = "0 2 * * *" }, Utc(3, 3, 9, 30));
        await host.StartAsync();

        await host.ExpectTryAsync("the catch-up of the missed firing");
        var request = Assert.Single(host.Runner.Requests);
        Assert.Equal((RunTrigger.Missed, Utc(3, 3, 2, 0)), (request.Trigger, request.ScheduledFireUtc));
        var status = await host.StatusWhenAsync(s => s.LastSuccess is not null, "the catch-up's success");
        Assert.Equal(RunTrigger.Missed, host.Store.ReadManifest(status.LastSuccess!.RunId!).Outcome!.Trigger);
        await host.ExpectNoTryAsync("one catch-up, not one per missed night");
        Assert.Equal(Utc(3, 3, 9, 30), new ScheduleLedger(Runs).Read()!.LastRunStartUtc);
    }

    [Fact]
    public async Task Nothing_is_caught_up_on_a_first_start_or_when_the_last_firing_was_served()
    {
        await using (var first = new HostHarness(Runs, new ScheduleConfig { Cron = "0 2 * * *" }, Utc(3, 3, 9, 30)))
        {
            await first.StartAsync();
            await first.ExpectNoTryAsync("a first start has no missed firing");
        }
        new ScheduleLedger(Runs).RecordRunStart(new Firing(RunTrigger.Scheduled, Utc(3, 4, 2, 0)), Utc(3, 4, 2, 0).AddSeconds(1));
        await using var again = new HostHarness(Runs, new ScheduleConfig { Cron = "0 2 * * *" }, Utc(3, 4, 11, 0));
        await again.StartAsync();
        await again.ExpectNoTryAsync("the 4 March firing already ran");
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Transient_failures_are_retried_with_doubling_delays_resuming_the_same_run()
    {
        var schedule = new ScheduleConfig
        {
            Cron = "0 1 * * *",
            Retry = new RetryConfig { Attempts = 3, InitialDelay = TimeSpan.FromMinutes(5), MaxDelay = TimeSpan.FromHours(1) },
        };
        await using var host = new HostHarness(Runs, schedule, Utc(3, 1, 0, 59));
        host.Runner.ThenThrow(new IOException("disk full"));
        host.Runner.ThenThrow(new Core.Stages.StageFailedException("images", new InvalidOperationException("CUDA out of memory")));
        host.Runner.ThenSucceed();
        await host.StartAsync();
        await host.StatusWhenAsync(s => s.State == SchedulerState.Idle, "idle after start");

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await host.ExpectTryAsync("try 1");
        var waiting = await host.StatusWhenAsync(s => s.State == SchedulerState.WaitingToRetry, "waiting after try 1");
        Assert.Equal(Utc(3, 1, 1, 5), waiting.Current!.RetryAtUtc);
        Assert.Contains("disk full", waiting.Current.LastError);
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await host.ExpectTryAsync("try 2");
        waiting = await host.StatusWhenAsync(s => s.State == SchedulerState.WaitingToRetry && s.Current!.Attempt == 2, "waiting after try 2");
        Assert.Equal(Utc(3, 1, 1, 15), waiting.Current!.RetryAtUtc);
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        await host.ExpectTryAsync("try 3");
        var done = await host.StatusWhenAsync(s => s.LastSuccess is not null, "success on try 3");

        var requests = host.Runner.Requests.ToList();
        Assert.Equal([1, 2, 3], requests.Select(r => r.Attempt));
        Assert.Null(requests[0].ResumeRunId);
        Assert.All(requests.Skip(1), r => Assert.Equal(done.LastSuccess!.RunId, r.ResumeRunId));
        Assert.Equal(3, done.LastSuccess!.Attempts);
        Assert.Equal(done.LastSuccess.RunId, host.Store.ReadPointer(RunStore.LatestData));
    }

    [Fact]
    public async Task A_mistake_in_the_input_fails_at_once_and_leaves_latest_data_alone()
    {
        await using var host = new HostHarness(Runs, new ScheduleConfig { Cron = "0 1 * * *" }, Utc(3, 1, 0, 59));
        var previous = RunFactory.Finished(host.Store, host.Clock, RunStatus.Succeeded, RunTrigger.Scheduled, Utc(2, 28, 1, 30));
        host.Store.PointTo(RunStore.LatestData, previous);
        host.Runner.ThenThrow(new InputDataException("captions.txt", "does not exist."));
        await host.StartAsync();
        await host.StatusWhenAsync(s => s.State == SchedulerState.Idle, "idle after start");

        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await host.ExpectTryAsync("try 1");
        var failed = await host.StatusWhenAsync(s => s.LastFailure is not null, "the failure");

        Assert.False(failed.LastFailure!.Transient);
        Assert.Contains("captions.txt", failed.LastFailure.Error);
        Assert.Equal(SchedulerState.Idle, failed.State);
        Assert.Single(host.Runner.Requests);
        Assert.Equal(previous, host.Store.ReadPointer(RunStore.LatestData));
    }

    [Fact]
    public async Task Stopping_the_host_cancels_the_run_records_it_and_keeps_latest_data()
    {
        await using var host = new HostHarness(Runs, new ScheduleConfig { Cron = "0 1 * * *" }, Utc(3, 1, 0, 59));
        var previous = RunFactory.Finished(host.Store, host.Clock, RunStatus.Succeeded, RunTrigger.Scheduled, Utc(2, 28, 1, 30));
        host.Store.PointTo(RunStore.LatestData, previous);
        var sawCancellation = new TaskCompletionSource();
        host.Runner.Then(async ct =>
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            finally { sawCancellation.TrySetResult(); }
        });
        await host.StartAsync();
        await host.StatusWhenAsync(s => s.State == SchedulerState.Idle, "idle after start");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await host.ExpectTryAsync("the 01:00 firing");
        var running = await host.StatusWhenAsync(s => s.Current?.RunId is not null, "the running run's id");

        await host.StopAsync();

        Assert.True(sawCancellation.Task.IsCompleted);
        var status = host.StatusFile.Read()!;
        Assert.Equal(SchedulerState.Stopped, status.State);
        Assert.Null(status.Current);
        Assert.Equal(running.Current!.RunId, status.LastFailure!.RunId);
        Assert.Equal(RunStatus.Cancelled, host.Store.ReadManifest(running.Current.RunId!).Outcome!.Status);
        Assert.Equal(previous, host.Store.ReadPointer(RunStore.LatestData));
    }

    [Fact]
    public async Task A_stop_before_the_host_has_started_ends_it_quietly_and_keeps_the_last_hosts_status()
    {
        await using (var earlier = new HostHarness(Runs, new ScheduleConfig { Cron = "0 1 * * *" }, Utc(3, 1, 0, 0)))
        {
            await earlier.StartAsync();
            await earlier.StatusWhenAsync(s => s.State == SchedulerState.Idle, "idle after start");
        }
        var statusFile = new StatusFile(Runs);
        var left = File.ReadAllText(statusFile.Path);
        Assert.Equal(SchedulerState.Stopped, statusFile.Read()!.State);

        await using var host = new HostHarness(Runs, new ScheduleConfig { Cron = "0 1 * * *" }, Utc(3, 1, 0, 30));
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        await host.RunAsync(stop.Token);

        Assert.Equal(left, File.ReadAllText(statusFile.Path));
    }

    [Fact]
    public async Task A_second_host_on_the_same_runs_folder_is_refused()
    {
        await using var first = new HostHarness(Runs, new ScheduleConfig(), Utc(3, 1, 0, 0));
        var error = Assert.Throws<PipelineException>(() => new HostHarness(Runs, new ScheduleConfig(), Utc(3, 1, 0, 0)));
        Assert.Equal(ExitCodes.Locked, error.ExitCode);
        Assert.Contains("pipeline serve", error.Message);
    }

    public void Dispose() => _dir.Dispose();
}
