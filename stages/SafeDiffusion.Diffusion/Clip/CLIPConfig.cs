using System.Text.Json;
using System.Text.Json.Nodes;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Diffusion.Clip;

/// <summary>
/// A transformers <c>CLIPConfig</c> (config.json of a CLIPModel, and of the SD safety checker): the two towers'
/// configs plus the shared projection size. Older files carry <c>text_config_dict</c> / <c>vision_config_dict</c>,
/// which transformers lays over <c>text_config</c> / <c>vision_config</c>; so does this reader.
/// </summary>
public sealed record CLIPConfig(CLIPTextConfig TextConfig, CLIPVisionConfig VisionConfig, int ProjectionDim, double LogitScaleInitValue)
{
    public const int DefaultProjectionDim = 512;
    public const double DefaultLogitScaleInitValue = 2.6592;

    /// <param name="validateText">False where only the vision tower is built (the SD safety checker ships a text_config it never uses).</param>
    public static CLIPConfig Read(string path, bool validateText = true)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "A CLIP model folder needs its config.json.");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                   ?? throw new InputDataException(path, "is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).");
        }

        var text = Tower<CLIPTextConfig>(path, root, "text_config");
        var vision = Tower<CLIPVisionConfig>(path, root, "vision_config");
        int projection = Number(path, root, "projection_dim", DefaultProjectionDim);
        double logitScale = root["logit_scale_init_value"] is JsonValue v && v.TryGetValue<double>(out var d) ? d : DefaultLogitScaleInitValue;
        if (projection <= 0) throw new InputDataException(path, $"must be positive, is {projection}.", "projection_dim");
        if (validateText) text.Validate(path, "text_config.");
        vision.Validate(path, "vision_config.");
        return new CLIPConfig(text, vision, projection, logitScale);
    }

    private static T Tower<T>(string path, JsonObject root, string key) where T : class, new()
    {
        var merged = new JsonObject();
        foreach (var source in new[] { key, key + "_dict" })
        {
            if (root[source] is null) continue;
            if (root[source] is not JsonObject obj) throw new InputDataException(path, "is not a JSON object.", source);
            foreach (var (name, value) in obj) merged[name] = value?.DeepClone();
        }
        try
        {
            return merged.Deserialize<T>(ComponentConfig.Json) ?? new T();
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 0 } p ? key + "." + p.TrimStart('$', '.') : key;
            throw new InputDataException(path, $"cannot be read as {typeof(T).Name}: {e.Message}", field);
        }
    }

    private static int Number(string path, JsonObject root, string key, int fallback)
    {
        if (root[key] is null) return fallback;
        if (root[key] is JsonValue v && v.TryGetValue<int>(out var n)) return n;
        throw new InputDataException(path, $"{root[key]!.ToJsonString()} is not an integer.", key);
    }
}
