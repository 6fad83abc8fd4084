using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Commands;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Scheduling.Status;

namespace SafeDiffusion.Pipeline.Tests.Serving;

/// <summary>
/// `serve` runs each try in a child process: a child that aborts (SIGABRT, as llama.cpp does on some GGUFs) fails
/// that try only; its run is marked crashed at once, the host keeps serving, and the retry resumes the same run.
/// </summary>
public sealed class ServeChildProcessTests : IDisposable
{
    private readonly DataGraphWorkspace _work = new("serve-child");

    [Trait("Category", "Slow")]
    [Fact]
    public async Task A_try_whose_process_aborts_is_a_failed_try_retried_in_a_fresh_process_while_the_host_survives()
    {
        // The hidden test hook makes the first try's process abort right after it has created its run.
        using var host = ServeOnAFakeClock.Start(_work, maxRetryDelay: "1m", "--test-abort-on-attempt", "1");
        var (clock, statusFile, store, serve, stop) = (host.Clock, host.StatusFile, host.Store, host.Serve, host.Stop);
        await host.WaitForAsync(() => statusFile.Read() is { State: SchedulerState.Idle }, "the host to start");
        clock.Advance(TimeSpan.FromMinutes(1));
        await host.WaitForAsync(() => statusFile.Read() is { State: SchedulerState.WaitingToRetry }, "the first try to fail");

        var waiting = statusFile.Read()!.Current!;
        var crashed = waiting.RunId;
        Assert.NotNull(crashed);
        // SIGABRT is signal 6: the process died with 128 + 6.
        Assert.Contains("134", waiting.LastError);
        var afterAbort = store.ReadManifest(crashed);
        Assert.Equal(RunStatus.Crashed, afterAbort.Outcome!.Status);
        Assert.Equal((RunTrigger.Scheduled, 1), (afterAbort.Outcome.Trigger, afterAbort.Outcome.Attempts));
        Assert.False(serve.IsCompleted);

        clock.Advance(TimeSpan.FromMinutes(1));
        await host.WaitForAsync(() => statusFile.Read() is { LastSuccess: not null }, "the retry to succeed");

        var success = statusFile.Read()!.LastSuccess!;
        Assert.Equal((crashed, 2), (success.RunId, success.Attempts));
        var manifest = store.ReadManifest(crashed);
        Assert.Equal((RunStatus.Succeeded, 2), (manifest.Outcome!.Status, manifest.Outcome.Attempts));
        Assert.Equal(crashed, store.ReadPointer(RunStore.LatestData));

        stop.Cancel();
        Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(90)));
    }

    public void Dispose() => _work.Dispose();
}
