using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Execution;
using SafeDiffusion.Scheduling.Status;
using SafeDiffusion.Scheduling.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Scheduling.Tests.Execution;

public sealed class RegenerationCoordinatorTests : IDisposable
{
    private readonly TempDirectory _dir = new("coordinator");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero));

    private (RegenerationCoordinator Coordinator, ScriptedRunner Runner, RunStore Store) Create()
    {
        var store = new RunStore(_dir.File("runs"));
        var runner = new ScriptedRunner(store, _clock);
        var host = new HostInfo(Environment.ProcessId, "test", _clock.GetUtcNow(), "nightly.yaml", "test");
        return (new RegenerationCoordinator(new ScheduleConfig { Cron = "0 1 * * *" }, store, runner, _clock, NullLogger.Instance, host), runner, store);
    }

    [Fact]
    public async Task A_firing_while_a_run_is_in_progress_is_skipped_at_once()
    {
        var (coordinator, runner, _) = Create();
        var release = new TaskCompletionSource();
        runner.Then(ct => release.Task.WaitAsync(ct));
        var first = coordinator.FireAsync(new Firing(RunTrigger.Scheduled, _clock.GetUtcNow()), CancellationToken.None);
        Assert.True(await runner.Started.WaitAsync(TimeSpan.FromSeconds(10)));

        var second = await coordinator.FireAsync(new Firing(RunTrigger.Missed, _clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(FiringResultKind.Skipped, second.Kind);
        Assert.Contains("in progress", second.Reason);
        release.SetResult();
        Assert.Equal(FiringResultKind.Succeeded, (await first).Kind);
        Assert.Single(runner.Requests);
        Assert.Equal(SchedulerState.Idle, coordinator.Status.State);
        Assert.NotNull(coordinator.Status.LastSkipped);
    }

    [Fact]
    public async Task A_firing_is_skipped_while_another_process_writes_a_run_in_the_folder()
    {
        var (coordinator, runner, store) = Create();
        // A manual `pipeline run` elsewhere: its run has no outcome yet and its lock is held.
        using var manual = RunFactory.Open(store, _clock);

        var result = await coordinator.FireAsync(new Firing(RunTrigger.Scheduled, _clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(FiringResultKind.Skipped, result.Kind);
        Assert.Contains(manual.Id, result.Reason);
        Assert.Empty(runner.Requests);
    }

    [Fact]
    public async Task The_status_says_starting_until_the_host_serves_and_a_firing_already_begun_keeps_its_state()
    {
        var (coordinator, runner, store) = Create();
        var statusFile = new StatusFile(store.Root);

        coordinator.Start();
        Assert.Equal(SchedulerState.Starting, statusFile.Read()!.State);
        coordinator.Serving();
        Assert.Equal(SchedulerState.Idle, statusFile.Read()!.State);

        var (late, lateRunner, lateStore) = Create();
        var release = new TaskCompletionSource();
        lateRunner.Then(ct => release.Task.WaitAsync(ct));
        late.Start();
        // Quartz fires before the host has told the coordinator it serves: the run's state must survive that.
        var firing = late.FireAsync(new Firing(RunTrigger.Scheduled, _clock.GetUtcNow()), CancellationToken.None);
        Assert.True(await lateRunner.Started.WaitAsync(TimeSpan.FromSeconds(10)));
        late.Serving();
        Assert.Equal(SchedulerState.Running, new StatusFile(lateStore.Root).Read()!.State);
        release.SetResult();
        await firing;
        Assert.Equal(SchedulerState.Idle, new StatusFile(lateStore.Root).Read()!.State);
        Assert.Empty(runner.Requests);
    }

    [Fact]
    public void A_host_stopped_before_it_started_leaves_the_previous_hosts_status_as_it_was()
    {
        var (previous, _, store) = Create();
        previous.Start();
        previous.Serving();
        previous.Stopped();
        var before = File.ReadAllText(new StatusFile(store.Root).Path);

        var (next, _, _) = Create();
        _clock.Advance(TimeSpan.FromMinutes(5));
        next.Stopping();
        next.Stopped();

        Assert.Equal(before, File.ReadAllText(new StatusFile(store.Root).Path));
    }

    public void Dispose() => _dir.Dispose();
}
