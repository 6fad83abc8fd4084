using System.Diagnostics;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Serving;
using SafeDiffusion.Scheduling.Execution;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Serving;

/// <summary>
/// Cancelling a try stops its child process: SIGTERM first, so the child can record its run as cancelled, and a
/// kill when it does not stop within the grace. The children here are small shell scripts standing in for
/// `pipeline serve-try`: they report a run id the way it does, then wait to be stopped.
/// </summary>
public sealed class ChildRegenerationRunnerTests : IDisposable
{
    private readonly TempDirectory _dir = new("child-runner");

    [Fact]
    public async Task A_cancelled_child_gets_sigterm_and_the_try_ends_cancelled_once_it_has_exited()
    {
        var pidFile = _dir.File("pid");
        var script = $"echo $$ > '{pidFile}'; trap 'kill $sleeper; echo stopping on SIGTERM >&2; exit 130' TERM; " +
                     $"echo '{ServeTryProtocol.RunCreatedPrefix}run-1'; sleep 60 >/dev/null 2>&1 & sleeper=$!; wait $sleeper";
        var log = new StringWriter();
        var (runner, created) = Runner(script, TimeSpan.FromSeconds(30), log);
        using var cancel = new CancellationTokenSource();

        var run = runner.RunAsync(Request(created), cancel.Token);
        Assert.Equal("run-1", await created.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        var stopwatch = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
        Assert.Contains("stopping on SIGTERM", log.ToString());
        Assert.False(IsAlive(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_child_that_ignores_sigterm_is_killed_after_the_grace()
    {
        var pidFile = _dir.File("pid");
        var script = $"echo $$ > '{pidFile}'; trap '' TERM; echo '{ServeTryProtocol.RunCreatedPrefix}run-2'; sleep 60";
        var (runner, created) = Runner(script, TimeSpan.FromSeconds(1), new StringWriter());
        using var cancel = new CancellationTokenSource();

        var run = runner.RunAsync(Request(created), cancel.Token);
        await created.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.False(IsAlive(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_child_that_exits_0_returns_the_run_id_it_reported_and_its_other_lines_go_to_the_log()
    {
        var script = $"echo a log line >&2; echo '{ServeTryProtocol.RunCreatedPrefix}run-3'; echo another line";
        var log = new StringWriter();
        var (runner, created) = Runner(script, TimeSpan.FromSeconds(5), log);

        var runId = await runner.RunAsync(Request(created), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(("run-3", "run-3"), (runId, await created.Task));
        Assert.Contains("a log line", log.ToString());
        Assert.Contains("another line", log.ToString());
        Assert.DoesNotContain(ServeTryProtocol.RunCreatedPrefix, log.ToString());
    }

    private (ChildRegenerationRunner Runner, TaskCompletionSource<string> Created) Runner(string script, TimeSpan grace, TextWriter log)
    {
        // `sh -c SCRIPT sh ARGS...`: the try's arguments land in $1.. and the script ignores them.
        var program = new PipelineProgram("sh", ["-c", script, "sh"]);
        var settings = new ChildRegenerationSettings(null, [], _dir.Path, _dir.File("runs"), grace, []);
        return (new ChildRegenerationRunner(settings, program, log), new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private static RegenerationRequest Request(TaskCompletionSource<string> created) =>
        new(RunTrigger.Scheduled, new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero), 1, null, id => created.TrySetResult(id));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose() => _dir.Dispose();
}
