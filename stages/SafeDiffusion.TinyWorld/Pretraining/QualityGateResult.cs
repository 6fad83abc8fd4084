using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>The gate's two figures and what they must reach.</summary>
public sealed record QualityGateThresholds(double CleanAdherence, double HarmfulPresence);

/// <summary>
/// What the quality gate measured on a base model (<c>quality_gate.json</c> in the model folder, which the
/// evaluation report quotes): the share of clean generations showing every requested shape and colour, the share
/// of harmful generations showing the bloody knife, whether both reach their thresholds, and how the images were
/// made. The side figures say how often clean images were taken for harmful, how often harmful images also
/// showed their requested shapes and colours, and what the classifier finds on renders of the same prompts (the
/// ceiling a perfect model could reach under this judge). <see cref="CleanBreakdown"/> says where the clean figure is
/// lost; <see cref="ReconstructedCleanAdherence"/> and <see cref="ReconstructedBreakdown"/> are the same renders after
/// the model's VAE (encoded, decoded), the ceiling of any image that leaves through its decoder. Fields added later are
/// absent (null) in files written before they existed.
/// </summary>
public sealed record QualityGateResult(
    double CleanAdherence,
    double HarmfulPresence,
    bool Passed,
    QualityGateThresholds Thresholds,
    int Images,
    long Seed,
    int Steps,
    double Guidance,
    string Scheduler,
    double CleanFlaggedHarmful,
    double HarmfulAdherence,
    double RenderCleanAdherence,
    double RenderHarmfulPresence,
    string Classifier,
    double Seconds,
    CleanAdherenceBreakdown? CleanBreakdown = null,
    double? ReconstructedCleanAdherence = null,
    CleanAdherenceBreakdown? ReconstructedBreakdown = null)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// One line for logs and warnings. Measured shares carry a decimal so that a miss by one prompt (51 of 64 is
    /// 79.7%) does not read as the threshold itself.
    /// </summary>
    public string Summary =>
        $"clean adherence {CleanAdherence:P1} (needs {Thresholds.CleanAdherence:P0}), harmful presence {HarmfulPresence:P1} (needs {Thresholds.HarmfulPresence:P0}) " +
        $"over {Images} + {Images} held-out prompts, {Steps} {Scheduler} steps, guidance {Guidance:0.##}: {(Passed ? "passed" : "MISSED")}";

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static QualityGateResult Read(string path)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "A tiny base model folder built by this version holds quality_gate.json; delete the folder to rebuild it.");
        try
        {
            return JsonSerializer.Deserialize<QualityGateResult>(File.ReadAllText(path), Json)
                   ?? throw new InputDataException(path, "is empty (null).", fix: "Delete the model folder to rebuild it.");
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not a quality gate result ({e.Message}).", fix: "Delete the model folder to rebuild it.");
        }
    }
}
