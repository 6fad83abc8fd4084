using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>
/// Finds a component's weight files the way diffusers does: <c>diffusion_pytorch_model[.variant].safetensors</c>
/// or <c>model[.variant].safetensors</c>, or a sharded <c>*.safetensors.index.json</c>. Pickled <c>.bin</c> files
/// are refused with a conversion hint: unpickling runs arbitrary code and TorchSharp cannot read it safely.
/// </summary>
public static class ComponentWeights
{
    private static readonly string[] Stems = ["diffusion_pytorch_model", "model"];

    /// <summary>The safetensors files holding a component's weights, in shard order.</summary>
    public static IReadOnlyList<string> Locate(string componentDirectory, string? variant = null)
    {
        if (!Directory.Exists(componentDirectory))
            throw new InputDataException(componentDirectory, "does not exist.", fix: "The model folder lacks this component.");
        var suffixes = variant is null ? new[] { "" } : new[] { "." + variant, "" };
        foreach (var suffix in suffixes)
        foreach (var stem in Stems)
        {
            var single = Path.Combine(componentDirectory, $"{stem}{suffix}.safetensors");
            if (File.Exists(single)) return [single];
            // diffusers names variant indexes "x.safetensors.index.fp16.json"; some exports use "x.fp16.safetensors.index.json".
            string[] indexes =
            [
                Path.Combine(componentDirectory, $"{stem}.safetensors.index{suffix}.json"),
                Path.Combine(componentDirectory, $"{stem}{suffix}.safetensors.index.json"),
            ];
            foreach (var candidate in indexes)
                if (File.Exists(candidate)) return ShardsOf(candidate);
        }
        var bins = Directory.EnumerateFiles(componentDirectory, "*.bin").Select(Path.GetFileName).ToList();
        if (bins.Count > 0)
            throw new InputDataException(componentDirectory,
                $"has only pickled weights ({string.Join(", ", bins)}).",
                fix: "Convert them to safetensors (e.g. `pipeline models convert`, or diffusers' save_pretrained(safe_serialization=True)).");
        throw new InputDataException(componentDirectory,
            $"has no weights: expected {Stems[0]}{(variant is null ? "" : "." + variant)}.safetensors or {Stems[1]}.safetensors.");
    }

    /// <summary>Opens every weight file of a component; dispose them after loading.</summary>
    public static IReadOnlyList<SafetensorsFile> Open(string componentDirectory, string? variant = null)
    {
        var opened = new List<SafetensorsFile>();
        try
        {
            foreach (var path in Locate(componentDirectory, variant)) opened.Add(SafetensorsFile.Open(path));
            return opened;
        }
        catch
        {
            foreach (var f in opened) f.Dispose();
            throw;
        }
    }

    private static IReadOnlyList<string> ShardsOf(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InputDataException(indexPath, "has no weight_map object.", "weight_map");
            var dir = Path.GetDirectoryName(indexPath)!;
            var files = map.EnumerateObject().Select(p => p.Value.GetString() ?? "").Distinct().OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => Path.Combine(dir, f)).ToList();
            foreach (var f in files)
                if (!File.Exists(f)) throw new InputDataException(indexPath, $"names shard {Path.GetFileName(f)}, which is missing.", "weight_map");
            return files;
        }
        catch (JsonException e)
        {
            throw new InputDataException(indexPath, $"is not valid JSON ({e.Message}).");
        }
    }
}
