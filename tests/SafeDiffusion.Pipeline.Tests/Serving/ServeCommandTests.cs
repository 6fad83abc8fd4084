using SafeDiffusion.Core.Runs;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Pipeline.Commands;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Scheduling.Status;

namespace SafeDiffusion.Pipeline.Tests.Serving;

/// <summary>
/// `pipeline serve` with the real data graph on a fake clock: a firing regenerates the dataset and moves
/// latest-data; stopping during the next run cancels it cleanly and `pipeline status` reports both.
/// </summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly DataGraphWorkspace _work = new("serve");

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Serve_regenerates_on_the_cron_then_stops_cleanly_mid_run_and_status_reports_both()
    {
        using var host = ServeOnAFakeClock.Start(_work);
        var (clock, statusFile, store, serve, stop) = (host.Clock, host.StatusFile, host.Store, host.Serve, host.Stop);
        await host.WaitForAsync(() => statusFile.Read() is { State: SchedulerState.Idle }, "the host to start");
        clock.Advance(TimeSpan.FromMinutes(1));
        await host.WaitForAsync(() => statusFile.Read() is { LastSuccess: not null }, "the 03:00 run to succeed");

        var first = statusFile.Read()!.LastSuccess!.RunId!;
        Assert.Equal(first, store.ReadPointer(RunStore.LatestData));
        var manifest = store.ReadManifest(first);
        Assert.Equal((RunStatus.Succeeded, RunTrigger.Scheduled, "data"), (manifest.Outcome!.Status, manifest.Outcome.Trigger, manifest.Outcome.Graph));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero), manifest.Outcome.ScheduledFireUtc);
        Assert.True(File.Exists(Path.Combine(store.Root, first, "dataset", DatasetManifest.FileName)));

        // The next night's run is stopped (as SIGTERM would) once it has started generating.
        clock.Advance(TimeSpan.FromDays(1));
        string? second = null;
        await host.WaitForAsync(() =>
        {
            second = statusFile.Read()?.Current?.RunId;
            return second is not null && store.ReadManifest(second).Stages.ContainsKey("images");
        }, "the second night's run to reach the images stage");
        stop.Cancel();
        Assert.Equal(0, await serve.WaitAsync(TimeSpan.FromSeconds(90)));

        var status = statusFile.Read()!;
        Assert.Equal(SchedulerState.Stopped, status.State);
        Assert.Equal(first, store.ReadPointer(RunStore.LatestData));
        Assert.Equal(RunStatus.Cancelled, store.ReadManifest(second!).Outcome!.Status);
        Assert.False(store.IsActive(second!));

        var (code, text, err) = await _work.PipelineAsync("status", "--runs", _work.Runs);
        Assert.True(code == 0, err);
        Assert.Contains("scheduler: not running", text);
        Assert.Contains($"latest-data: {first}", text);
        Assert.Contains($"last success: {first}", text);
        Assert.Contains($"last failure: {second}", text);
        Assert.Contains("cancelled", text);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task A_serve_process_stops_on_sigterm_with_exit_code_0_and_records_it()
    {
        var config = _work.WriteConfig("""
            schedule:
              cron: "0 3 1 1 *"
              time-zone: UTC
            """);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = _work.Path, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { typeof(Cli.CliHost).Assembly.Location, "serve", "--config", config }) start.ArgumentList.Add(arg);
        using var child = System.Diagnostics.Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        _ = child.StandardOutput.ReadToEndAsync();
        var statusFile = new StatusFile(_work.Runs);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !child.HasExited && statusFile.Read() is not { State: SchedulerState.Idle }) await Task.Delay(50);
        Assert.True(statusFile.Read() is { State: SchedulerState.Idle }, $"serve should be idle:\n{(child.HasExited ? await stderr : "")}");
        Assert.True(Scheduling.Hosting.ServeLock.IsHeld(_work.Runs));

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            await kill.WaitForExitAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(child.ExitCode == 0, await stderr);
        Assert.Equal(SchedulerState.Stopped, statusFile.Read()!.State);
        Assert.False(Scheduling.Hosting.ServeLock.IsHeld(_work.Runs));
        Assert.Contains("stopped.", await stderr);
    }

    public void Dispose() => _work.Dispose();
}
