using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Training.Stages;

/// <summary>Where a run's dataset stage put the train and holdout parts.</summary>
public sealed record DatasetPaths(string TrainDirectory, string HoldoutDirectory);

/// <summary>
/// Finds a run's dataset through the file the dataset stage writes, <c>runs/&lt;id&gt;/dataset/dataset.json</c>:
/// <c>{"trainDirectory": ..., "holdoutDirectory": ...}</c>, paths relative to the run folder (absolute ones are taken as they are).
/// </summary>
public static class DatasetLocator
{
    public const string StageName = "dataset";
    public const string FileName = "dataset.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string PathIn(Run run) => Path.Combine(run.Directory, StageName, FileName);

    public static DatasetPaths Locate(Run run)
    {
        var path = PathIn(run);
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist, so this run has no dataset to train on.",
                fix: $"Run the dataset stage first (`pipeline run {StageName} --run {run.Id}`).");
        DatasetFile? file;
        try { file = JsonSerializer.Deserialize<DatasetFile>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InputDataException(path, $"is not valid JSON ({e.Message}).", fix: "Rerun the dataset stage."); }
        if (string.IsNullOrWhiteSpace(file?.TrainDirectory))
            throw new InputDataException(path, "names no train directory.", "trainDirectory", "Rerun the dataset stage.");
        if (string.IsNullOrWhiteSpace(file.HoldoutDirectory))
            throw new InputDataException(path, "names no holdout directory.", "holdoutDirectory", "Rerun the dataset stage.");
        return new DatasetPaths(Resolve(run, file.TrainDirectory), Resolve(run, file.HoldoutDirectory));
    }

    /// <summary>Writes the file as the dataset stage does (for tools and tests that stand in for it).</summary>
    public static void Write(Run run, string trainDirectory, string holdoutDirectory)
    {
        var file = new DatasetFile(Relative(run, trainDirectory), Relative(run, holdoutDirectory));
        Core.IO.AtomicFile.WriteAllText(PathIn(run), JsonSerializer.Serialize(file, Json));
    }

    private static string Resolve(Run run, string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(run.Directory, path));

    private static string Relative(Run run, string path) => Path.GetRelativePath(run.Directory, Path.GetFullPath(path)).Replace('\\', '/');

    private sealed record DatasetFile(string? TrainDirectory, string? HoldoutDirectory);
}
