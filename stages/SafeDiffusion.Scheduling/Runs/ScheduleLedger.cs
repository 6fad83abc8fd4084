using System.Text.Json;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Runs;

/// <summary>
/// <c>runs/schedule.json</c>: when the schedule was first served here and which firing last started a run. Quartz's
/// in-memory store forgets its triggers when the host stops, so this file is what tells a restarted host that a
/// firing came due while it was down.
/// </summary>
public sealed class ScheduleLedger(string runsRoot)
{
    public const string FileName = "schedule.json";

    public string Path { get; } = System.IO.Path.Combine(runsRoot, FileName);

    public ScheduleLedgerState? Read()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ScheduleLedgerState>(File.ReadAllText(Path), RunManifest.Json);
        }
        catch (JsonException)
        {
            // A ledger nobody can read is treated as absent: at worst one missed firing is not caught up.
            return null;
        }
    }

    /// <summary>Notes that the schedule is served from <paramref name="now"/> on, unless an earlier start is recorded.</summary>
    public ScheduleLedgerState EnsureStarted(DateTimeOffset now)
    {
        var state = Read();
        if (state is not null) return state;
        state = new ScheduleLedgerState { ServingSinceUtc = now };
        Write(state);
        return state;
    }

    public void RecordRunStart(Firing firing, DateTimeOffset startedUtc)
    {
        var state = Read() ?? new ScheduleLedgerState { ServingSinceUtc = startedUtc };
        Write(state with { LastScheduledFireUtc = firing.ScheduledFireUtc, LastRunStartUtc = startedUtc, LastTrigger = firing.Trigger });
    }

    private void Write(ScheduleLedgerState state)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(state, RunManifest.Json));
    }
}

public sealed record ScheduleLedgerState
{
    public required DateTimeOffset ServingSinceUtc { get; init; }
    public DateTimeOffset? LastScheduledFireUtc { get; init; }
    public DateTimeOffset? LastRunStartUtc { get; init; }
    public RunTrigger? LastTrigger { get; init; }
}
