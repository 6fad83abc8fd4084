using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Hosting;
using SafeDiffusion.Scheduling.Status;

namespace SafeDiffusion.Scheduling.Tests.Support;

/// <summary>
/// A real scheduler host (Generic Host + Quartz) on a fake clock and a scripted runner. Time moves only when a test
/// advances it; the waits below are bounded real-time polls for the scheduler's threads to react.
/// </summary>
internal sealed class HostHarness : IAsyncDisposable
{
    public static readonly TimeSpan ReactionTimeout = TimeSpan.FromSeconds(15);

    private readonly IHost _host;
    private readonly ServeLock _lock;
    private bool _stopped;

    public HostHarness(string runsRoot, ScheduleConfig schedule, DateTimeOffset start)
    {
        Clock = new FakeTimeProvider(start);
        Store = new RunStore(runsRoot);
        Runner = new ScriptedRunner(Store, Clock);
        (_host, _lock) = NightlyHost.Build(new NightlyHostOptions(schedule, runsRoot, "nightly-test.yaml", Runner, Clock, Log, "test"));
    }

    public FakeTimeProvider Clock { get; }
    public RunStore Store { get; }
    public ScriptedRunner Runner { get; }
    public StringWriter Log { get; } = new();
    public StatusFile StatusFile => new(Store.Root);

    public Task StartAsync() => _host.StartAsync();

    /// <summary>Runs the host as `pipeline serve` does, until the token stops it.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _stopped = true;
        await NightlyHost.RunAsync(_host, ct);
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
    }

    /// <summary>Waits for the runner to start a try.</summary>
    public async Task ExpectTryAsync(string what)
    {
        Assert.True(await Runner.Started.WaitAsync(ReactionTimeout), $"expected a try to start: {what}\nlog:\n{Log}");
    }

    /// <summary>Gives the scheduler real time to act and checks that it started no try.</summary>
    public async Task ExpectNoTryAsync(string why)
    {
        Assert.False(await Runner.Started.WaitAsync(TimeSpan.FromMilliseconds(700)), $"no try should start: {why}\nlog:\n{Log}");
    }

    public async Task<SchedulerStatus> StatusWhenAsync(Func<SchedulerStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + ReactionTimeout;
        SchedulerStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = StatusFile.Read();
            if (last is not null && condition(last)) return last;
            await Task.Delay(20);
        }
        Assert.Fail($"status never reached: {what}; last: {last}\nlog:\n{Log}");
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
        _lock.Dispose();
    }
}
