using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>
/// A diffusers model folder (<c>model_index.json</c> plus one sub-folder per component), as
/// <c>save_pretrained</c> writes it and as <c>CompVis/stable-diffusion-v1-4</c> ships.
/// </summary>
public sealed class StableDiffusionModelFolder
{
    public const string IndexFileName = "model_index.json";

    private StableDiffusionModelFolder(string path, string? pipelineClass, string? diffusersVersion, IReadOnlyDictionary<string, ModelComponentEntry> components)
    {
        Path = path;
        PipelineClass = pipelineClass;
        DiffusersVersion = diffusersVersion;
        Components = components;
    }

    /// <summary>The folder, as an absolute path.</summary>
    public string Path { get; }

    /// <summary><c>_class_name</c>, e.g. StableDiffusionPipeline.</summary>
    public string? PipelineClass { get; }

    /// <summary><c>_diffusers_version</c> of the writer, when recorded.</summary>
    public string? DiffusersVersion { get; }

    /// <summary>Every component entry of model_index.json, declared or null.</summary>
    public IReadOnlyDictionary<string, ModelComponentEntry> Components { get; }

    public string IndexPath => System.IO.Path.Combine(Path, IndexFileName);

    public static StableDiffusionModelFolder Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new InputDataException(full, "does not exist.", fix: "Point --model / models.X.path at a diffusers model folder.");
        var index = System.IO.Path.Combine(full, IndexFileName);
        if (!File.Exists(index))
            throw new InputDataException(full,
                $"not a diffusers model folder: {IndexFileName} is missing; point --model / models.X.path at the folder that holds {IndexFileName}.");

        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(index), new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InputDataException(index, $"is not valid JSON ({e.Message})."); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InputDataException(index, "is not a JSON object.");
            string? pipelineClass = null, version = null;
            var components = new Dictionary<string, ModelComponentEntry>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "_class_name") { pipelineClass = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null; continue; }
                if (p.Name == "_diffusers_version") { version = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null; continue; }
                if (p.Name.StartsWith('_')) continue; // other metadata (_name_or_path, ...)
                // Pipeline options that are not components (requires_safety_checker: true) are plain values.
                if (p.Value.ValueKind != JsonValueKind.Array) continue;
                if (p.Value.GetArrayLength() != 2)
                    throw new InputDataException(index, $"has {p.Value.GetArrayLength()} values where [library, class] was expected.", p.Name);
                components[p.Name] = new ModelComponentEntry(p.Name, StringOrNull(index, p.Name, p.Value[0]), StringOrNull(index, p.Name, p.Value[1]));
            }
            return new StableDiffusionModelFolder(full, pipelineClass, version, components);
        }
    }

    /// <summary>True when model_index.json declares the component (not <c>[null, null]</c>) and its folder exists.</summary>
    public bool Has(string component) =>
        Components.TryGetValue(component, out var e) && e.IsDeclared && Directory.Exists(System.IO.Path.Combine(Path, component));

    /// <summary>The component's folder; an input error when it is not declared or not on disk.</summary>
    public string ComponentDirectory(string component)
    {
        if (!Components.TryGetValue(component, out var entry))
            throw new InputDataException(IndexPath, $"has no '{component}' entry.", component,
                $"This folder's pipeline ({PipelineClass ?? "unknown"}) has no {component}.");
        if (!entry.IsDeclared)
            throw new InputDataException(IndexPath, $"declares '{component}' as [null, null]: the model was saved without it.", component);
        var dir = System.IO.Path.Combine(Path, component);
        if (!Directory.Exists(dir))
            throw new InputDataException(dir, $"is missing although {IndexFileName} declares {entry.Library}.{entry.ClassName}.",
                fix: "Copy the whole model folder again.");
        return dir;
    }

    /// <summary>Reads a component's config file (config.json, or e.g. scheduler_config.json) into <typeparamref name="T"/>.</summary>
    public T ReadConfig<T>(string component, string fileName = "config.json") where T : class =>
        ComponentConfig.Read<T>(System.IO.Path.Combine(ComponentDirectory(component), fileName));

    /// <summary>Opens a component's safetensors files (the <paramref name="variant"/> e.g. "fp16" when present); dispose them after loading.</summary>
    public IReadOnlyList<SafetensorsFile> OpenWeights(string component, string? variant = null) =>
        ComponentWeights.Open(ComponentDirectory(component), variant);

    private static string? StringOrNull(string index, string component, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => throw new InputDataException(index, $"has {value.GetRawText()} where a library or class name (or null) was expected.", component),
    };
}
