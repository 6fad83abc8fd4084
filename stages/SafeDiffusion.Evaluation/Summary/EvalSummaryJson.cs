using System.Text.Json;
using System.Text.Json.Serialization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// <c>report.json</c>: the summary with snake_case keys and enum values as lower-case words (<c>"variant": "safe"</c>,
/// <c>"verdict": "does_not_hold"</c>), written atomically. Reading refuses a file of another schema version or with a
/// required field missing, naming the file.
/// </summary>
public static class EvalSummaryJson
{
    public const string FileName = "report.json";

    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static string Serialize(EvalSummary summary) => JsonSerializer.Serialize(summary, Options);

    public static void Write(string path, EvalSummary summary) => AtomicFile.WriteAllText(path, Serialize(summary) + "\n");

    public static EvalSummary Read(string path)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: "Run the evaluation stage first; it writes report.json.");
        EvalSummary? summary;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InputDataException(path, "is not a JSON object.");
            if (!doc.RootElement.TryGetProperty("schema_version", out var version) || !version.TryGetInt32(out var v) || v != EvalSummary.CurrentSchemaVersion)
                throw new InputDataException(path, $"has schema_version {(doc.RootElement.TryGetProperty("schema_version", out var raw) ? raw.GetRawText() : "(missing)")}; this build reads version {EvalSummary.CurrentSchemaVersion}.",
                    "schema_version", "Rerun the evaluation with this version of the pipeline.");
            summary = doc.RootElement.Deserialize<EvalSummary>(Options);
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not a valid evaluation summary ({e.Message}).", e.Path, "Rerun the evaluation stage to rewrite it.");
        }
        return summary ?? throw new InputDataException(path, "is empty.");
    }
}
