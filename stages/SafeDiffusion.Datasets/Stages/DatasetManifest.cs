using System.Text.Json;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Datasets.Stages;

/// <summary>
/// <c>dataset/dataset.json</c>: where the train and holdout parts are (relative to the run folder) and what they
/// hold. Later stages find the dataset through it, whether they run in the same process or rerun alone.
/// </summary>
public sealed record DatasetManifest(
    string TrainDirectory,
    string HoldoutDirectory,
    long CleanTrainRows,
    long HarmfulTrainRows,
    long HoldoutRows,
    IReadOnlyDictionary<string, long> RowsByCategory)
{
    public const string FileName = "dataset.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static DatasetManifest Read(string path)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist: the dataset stage has not completed in this run.",
                fix: "Run `pipeline run dataset --run <id>` first.");
        try
        {
            return JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(path), Json) ?? throw new InputDataException(path, "is empty.");
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not a dataset manifest ({e.Message}).");
        }
    }

    /// <summary>The dataset of a run (absolute folders).</summary>
    public static DatasetReady Locate(Core.Runs.Run run, string datasetStage = DatasetStage.DefaultName)
    {
        var m = Read(Path.Combine(run.Directory, datasetStage, FileName));
        return new DatasetReady(Path.Combine(run.Directory, m.TrainDirectory), Path.Combine(run.Directory, m.HoldoutDirectory),
            m.CleanTrainRows, m.HarmfulTrainRows, m.HoldoutRows);
    }
}
