using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// A diffusers <c>scheduler_config.json</c>. Every value is nullable: null means "absent", and each scheduler
/// then applies its own diffusers default, so one folder's config can configure any scheduler (as diffusers'
/// <c>from_config</c> does). Keys listed in <c>_use_default_values</c> are treated as absent, as diffusers does.
/// </summary>
public sealed record SchedulerConfig
{
    private static readonly JsonSerializerOptions Options = new(ComponentConfig.Json)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    [JsonPropertyName("_class_name")]
    public string? ClassName { get; init; }

    public int? NumTrainTimesteps { get; init; }
    public double? BetaStart { get; init; }
    public double? BetaEnd { get; init; }
    public string? BetaSchedule { get; init; }
    public IReadOnlyList<double>? TrainedBetas { get; init; }
    public string? PredictionType { get; init; }
    public string? TimestepSpacing { get; init; }
    public int? StepsOffset { get; init; }
    public bool? SetAlphaToOne { get; init; }
    public bool? SkipPrkSteps { get; init; }
    public bool? ClipSample { get; init; }
    public double? ClipSampleRange { get; init; }
    public bool? Thresholding { get; init; }
    public bool? RescaleBetasZeroSnr { get; init; }
    public string? VarianceType { get; init; }
    public string? InterpolationType { get; init; }
    public bool? UseKarrasSigmas { get; init; }
    public int? SolverOrder { get; init; }
    public string? AlgorithmType { get; init; }
    public string? SolverType { get; init; }
    public bool? LowerOrderFinal { get; init; }
    public double? LambdaMinClipped { get; init; }

    /// <summary>DDIM's eta (0 = deterministic DDIM). Not a diffusers config key: a sampling option.</summary>
    public double? Eta { get; init; }

    /// <summary>The file this config came from, for error messages.</summary>
    [JsonIgnore]
    public string Source { get; init; } = "scheduler_config.json";

    public static SchedulerConfig Read(string path)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "A diffusers model folder needs scheduler/scheduler_config.json.");
        return Parse(File.ReadAllText(path), path);
    }

    public static SchedulerConfig Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(PythonJson.QuoteNonFiniteLiterals(json),
                documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InputDataException(source, $"is not valid JSON ({e.Message}).");
        }
        if (node is not JsonObject obj) throw new InputDataException(source, "is not a JSON object.");
        return FromObject(obj, source);
    }

    /// <summary>Reads a config object (e.g. one entry of a reference <c>schedulers.json</c>).</summary>
    public static SchedulerConfig FromObject(JsonObject obj, string source)
    {
        var copy = (JsonObject)obj.DeepClone();
        if (copy["_use_default_values"] is JsonArray defaults)
            foreach (var key in defaults.Select(d => d?.GetValue<string>()).OfType<string>().ToList())
                copy.Remove(key);
        copy.Remove("_use_default_values");
        try
        {
            return (copy.Deserialize<SchedulerConfig>(Options) ?? throw new InputDataException(source, "is empty (null).")) with { Source = source };
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 0 } p ? p.TrimStart('$', '.') : null;
            throw new InputDataException(source, $"cannot be read as a scheduler config: {e.Message}", field);
        }
        catch (InvalidOperationException e)
        {
            throw new InputDataException(source, $"cannot be read as a scheduler config: {e.Message}");
        }
    }
}
