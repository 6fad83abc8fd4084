using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Scheduling.Status;

/// <summary>Reads and atomically writes <c>runs/status.json</c>.</summary>
public sealed class StatusFile(string runsRoot)
{
    public const string FileName = "status.json";

    public string Path { get; } = System.IO.Path.Combine(runsRoot, FileName);

    public void Write(SchedulerStatus status)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(status, RunManifest.Json));
    }

    public SchedulerStatus? Read()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SchedulerStatus>(File.ReadAllText(Path), RunManifest.Json);
        }
        catch (JsonException e)
        {
            throw new InputDataException(Path, $"is not a scheduler status file ({e.Message}).",
                fix: "It is rewritten by `pipeline serve`; delete it if no host runs on this folder.");
        }
    }
}
