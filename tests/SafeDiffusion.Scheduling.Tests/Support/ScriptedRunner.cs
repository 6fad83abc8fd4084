using System.Collections.Concurrent;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Tests.Support;

/// <summary>
/// A runner that creates real run folders and then does what each test scripts: succeed, throw, or wait until
/// released or cancelled. Records every request it was given.
/// </summary>
internal sealed class ScriptedRunner(RunStore store, TimeProvider clock) : IRegenerationRunner
{
    private readonly ConcurrentQueue<Func<CancellationToken, Task>> _script = new();

    public ConcurrentQueue<RegenerationRequest> Requests { get; } = new();

    /// <summary>Set when a try starts; tests wait on it instead of sleeping.</summary>
    public SemaphoreSlim Started { get; } = new(0);

    public void Then(Func<CancellationToken, Task> step) => _script.Enqueue(step);

    public void ThenSucceed() => Then(_ => Task.CompletedTask);

    public void ThenThrow(Exception e) => Then(_ => Task.FromException(e));

    public async Task<string> RunAsync(RegenerationRequest request, CancellationToken ct)
    {
        Requests.Enqueue(request);
        using var run = request.ResumeRunId is { } resume ? store.Open(resume) : RunFactory.Open(store, clock);
        request.RunCreated(run.Id);
        Started.Release();
        var step = _script.TryDequeue(out var s) ? s : (_ => Task.CompletedTask);
        try
        {
            await step(ct);
        }
        catch (OperationCanceledException)
        {
            run.RecordOutcome(Outcome(RunStatus.Cancelled, request, "cancelled"));
            throw;
        }
        catch (Exception e)
        {
            run.RecordOutcome(Outcome(RunStatus.Failed, request, e.Message));
            throw;
        }
        run.RecordOutcome(Outcome(RunStatus.Succeeded, request, null));
        return run.Id;
    }

    private RunOutcome Outcome(RunStatus status, RegenerationRequest request, string? error) => new()
    {
        Status = status,
        FinishedUtc = clock.GetUtcNow(),
        Graph = "data",
        Trigger = request.Trigger,
        ScheduledFireUtc = request.ScheduledFireUtc,
        Attempts = request.Attempt,
        Error = error,
    };
}
