using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Scheduling.Tests.Support;

/// <summary>Real run folders (manifest, lock) without any stage work, for scheduling tests.</summary>
internal static class RunFactory
{
    private static readonly ConfigDocument Document = ConfigDocument.Parse("name: nightly-test\n", "nightly-test.yaml");
    private static readonly PipelineConfig Config = new() { Name = "nightly-test" };

    /// <summary>A run that is still open (its lock held) until the returned run is disposed.</summary>
    public static Run Open(RunStore store, TimeProvider clock) => store.Create(Document, Config, clock: clock);

    public static string Finished(RunStore store, TimeProvider clock, RunStatus status, RunTrigger trigger, DateTimeOffset finished, string graph = "data", string? error = null)
    {
        using var run = store.Create(Document, Config, clock: clock);
        run.RecordOutcome(new RunOutcome { Status = status, FinishedUtc = finished, Trigger = trigger, Graph = graph, Error = error });
        return run.Id;
    }
}
