using System.Text.Json;
using System.Text.Json.Serialization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Training.Stages;

/// <summary>
/// The output record of a training stage kept as <c>result.json</c> in its folder, so a later stage rerun alone can
/// replay it. Model folders inside the run are stored relative to the run, so a moved run folder still replays.
/// </summary>
public static class StageResultFile
{
    public const string FileName = "result.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Write(Run run, string stageDirectory, ModelMatrix matrix)
    {
        var path = Path.Combine(stageDirectory, FileName);
        var stored = matrix with
        {
            Models = matrix.Models.Select(m => m with { ModelDirectory = Relative(run, m.ModelDirectory) }).ToList(),
            Checkpoints = matrix.Checkpoints.Select(c => c with { ModelDirectory = Relative(run, c.ModelDirectory) }).ToList(),
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(stored, Json));
        return path;
    }

    public static ModelMatrix Read(Run run, string stageDirectory)
    {
        var path = Path.Combine(stageDirectory, FileName);
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist, so the stage's output cannot be replayed.", fix: "Rerun the stage.");
        try
        {
            var matrix = JsonSerializer.Deserialize<ModelMatrix>(File.ReadAllText(path), Json)
                         ?? throw new InputDataException(path, "is empty.", fix: "Rerun the stage.");
            return matrix with
            {
                Models = matrix.Models.Select(m => m with { ModelDirectory = Resolve(run, m.ModelDirectory) }).ToList(),
                Checkpoints = matrix.Checkpoints.Select(c => c with { ModelDirectory = Resolve(run, c.ModelDirectory) }).ToList(),
            };
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).", fix: "Rerun the stage.");
        }
    }

    private static string Relative(Run run, string path)
    {
        var relative = Path.GetRelativePath(run.Directory, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFullPath(path) : relative.Replace('\\', '/');
    }

    private static string Resolve(Run run, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(run.Directory, path));
}
