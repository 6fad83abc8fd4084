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

    /// <summary>
    /// The shard files an index names. A shard name must be a plain file name in the index's own folder (the
    /// component folder): no folder part, no <c>..</c>, no absolute path; and where the shard is a symbolic link, its
    /// final target must lie inside the component folder too. A model folder is foreign input, and an index that
    /// could name any path would make the loader read any file the user can read.
    /// </summary>
    /// <exception cref="InputDataException">The index is not JSON, has no weight_map, or names a shard that is not a
    /// string, leaves the component folder or is missing.</exception>
    private static IReadOnlyList<string> ShardsOf(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(indexPath));
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InputDataException(indexPath, "has no weight_map object.", "weight_map");
            var dir = Path.GetFullPath(Path.GetDirectoryName(indexPath)!);
            var names = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new InputDataException(indexPath, $"maps '{entry.Name}' to {entry.Value.ValueKind}, not a shard file name.", "weight_map");
                names.Add(entry.Value.GetString()!);
            }
            var files = new List<string>();
            foreach (var name in names)
            {
                CheckShardName(indexPath, dir, name);
                var file = Path.Combine(dir, name);
                if (!File.Exists(file)) throw new InputDataException(indexPath, $"names shard {name}, which is missing.", "weight_map");
                CheckStaysInside(indexPath, dir, file, name);
                files.Add(file);
            }
            return files;
        }
        catch (JsonException e)
        {
            throw new InputDataException(indexPath, $"is not valid JSON ({e.Message}).");
        }
    }

    private static void CheckShardName(string indexPath, string dir, string name)
    {
        bool plain = name.Length > 0 && name is not ("." or "..") && !Path.IsPathRooted(name)
                     && name.IndexOfAny(['/', '\\', '\0']) < 0;
        if (!plain)
            throw new InputDataException(indexPath, $"names shard '{name}', which is not a plain file name in {dir}.", "weight_map",
                "Shards of a sharded checkpoint sit beside their index; fix the weight_map or re-export the component.");
    }

    private static void CheckStaysInside(string indexPath, string dir, string file, string name)
    {
        string inside, target;
        try
        {
            int hops = 0;
            inside = ResolvedPath(dir, ref hops);
            hops = 0;
            target = ResolvedPath(file, ref hops);
        }
        catch (IOException e)
        {
            throw new InputDataException(indexPath, $"names shard {name}, whose links cannot be followed ({e.Message}).", "weight_map");
        }
        if (!target.StartsWith(inside.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InputDataException(indexPath, $"names shard {name}, a link to {target}, outside the component folder {inside}.", "weight_map",
                "Copy the shard files into the component folder instead of linking to them.");
    }

    // Links followed before giving up, as Linux's ELOOP does: a cycle of links through folders would otherwise recurse forever.
    private const int MaxLinkHops = 40;

    // The path with every symbolic link on it resolved, segment by segment (what realpath(3) gives).
    private static string ResolvedPath(string path, ref int hops)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var resolved = root;
        foreach (var segment in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, segment);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            var target = info.Exists ? info.ResolveLinkTarget(returnFinalTarget: true) : null;
            if (target is not null && ++hops > MaxLinkHops) throw new IOException($"more than {MaxLinkHops} symbolic links on the way to {path}");
            resolved = target is null ? next : ResolvedPath(target.FullName, ref hops);
        }
        return resolved;
    }
}
