using Microsoft.Extensions.Time.Testing;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Commands;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Scheduling.Status;

namespace SafeDiffusion.Pipeline.Tests.Serving;

/// <summary>
/// `pipeline serve` started in-process over a data-graph workspace, on a fake clock one minute before its 03:00 firing,
/// with the status file, the run store and the host's log at hand. Stopping is the caller's (<see cref="Stop"/>).
/// </summary>
internal sealed class ServeOnAFakeClock : IDisposable
{
    private ServeOnAFakeClock(DataGraphWorkspace work, string maxRetryDelay, IReadOnlyList<string> hiddenArgs)
    {
        var config = work.WriteConfig($$"""
            schedule:
              cron: "0 3 * * *"
              time-zone: UTC
              retry: { attempts: 2, initial-delay: 1m, max-delay: {{maxRetryDelay}} }
              shutdown-timeout: 60s
            """);
        StatusFile = new StatusFile(work.Runs);
        Store = new RunStore(work.Runs);
        Serve = Task.Run(() => ServeCommand.ExecuteAsync(work.Environment(new StringWriter(), Log), config, [], null, Clock, Stop.Token, hiddenArgs));
    }

    /// <param name="hiddenArgs">Extra arguments for each try's child process (test hooks).</param>
    public static ServeOnAFakeClock Start(DataGraphWorkspace work, string maxRetryDelay = "5m", params string[] hiddenArgs) =>
        new(work, maxRetryDelay, hiddenArgs);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 2, 59, 0, TimeSpan.Zero));
    public StatusFile StatusFile { get; }
    public RunStore Store { get; }
    public StringWriter Log { get; } = new();
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>The host; its result is serve's exit code.</summary>
    public Task<int> Serve { get; }

    /// <summary>Polls <paramref name="condition"/> for up to two minutes; fails with the host's log if serve ends first or time runs out.</summary>
    public async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (Serve.IsCompleted) Assert.Fail($"serve ended early ({(Serve.IsFaulted ? Serve.Exception!.GetBaseException().Message : "exit")}) while waiting for {what}:\n{Log}");
            if (condition()) return;
            await Task.Delay(25);
        }
        Assert.Fail($"timed out waiting for {what}:\n{Log}");
    }

    public void Dispose() => Stop.Dispose();
}
