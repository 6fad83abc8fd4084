using System.Text.Json;
using System.Text.RegularExpressions;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Checkpoints;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>
/// Finds a component's weight files the way diffusers does: <c>diffusion_pytorch_model[.variant].safetensors</c>
/// or <c>model[.variant].safetensors</c>, or a sharded <c>*.safetensors.index.json</c>; failing those, the pickled
/// <c>diffusion_pytorch_model[.variant].bin</c> or <c>pytorch_model[.variant].bin</c> (or their shard index).
/// With a variant the variant's files are preferred and the plain ones are the fallback, safetensors before pickles.
/// Pickles are read by <see cref="PthStateDict"/>, which rebuilds only tensors and refuses any other callable, and
/// are opened as a temporary safetensors copy so every loader sees one format.
/// </summary>
public static partial class ComponentWeights
{
    private static readonly string[] SafetensorsStems = ["diffusion_pytorch_model", "model"];
    private static readonly string[] PickleStems = ["diffusion_pytorch_model", "pytorch_model"];

    /// <summary>
    /// The files holding a component's weights, in shard order: safetensors files, or <c>.bin</c> pickles when the
    /// component has no safetensors.
    /// </summary>
    /// <exception cref="InputDataException">The folder is missing or holds no weights for the variant or the plain
    /// name; the message names <c>variant:</c> and lists the files that are there.</exception>
    public static IReadOnlyList<string> Locate(string componentDirectory, string? variant = null)
    {
        if (!Directory.Exists(componentDirectory))
            throw new InputDataException(componentDirectory, "does not exist.", fix: "The model folder lacks this component.");
        var suffixes = variant is null ? new[] { "" } : new[] { "." + variant, "" };
        foreach (var (extension, stems) in new[] { ("safetensors", SafetensorsStems), ("bin", PickleStems) })
        foreach (var suffix in suffixes)
        foreach (var stem in stems)
        {
            var single = Path.Combine(componentDirectory, $"{stem}{suffix}.{extension}");
            if (File.Exists(single)) return [single];
            // diffusers names variant indexes "x.safetensors.index.fp16.json"; some exports use "x.fp16.safetensors.index.json".
            string[] indexes =
            [
                Path.Combine(componentDirectory, $"{stem}.{extension}.index{suffix}.json"),
                Path.Combine(componentDirectory, $"{stem}{suffix}.{extension}.index.json"),
            ];
            foreach (var candidate in indexes)
                if (File.Exists(candidate)) return ShardsOf(candidate);
        }
        throw NoWeights(componentDirectory, variant);
    }

    /// <summary>True when <see cref="Locate"/> would return pickles (<c>.bin</c>) rather than safetensors.</summary>
    public static bool IsPickle(string weightFile) => weightFile.EndsWith(".bin", StringComparison.Ordinal);

    /// <summary>
    /// Opens every weight file of a component; dispose them after loading. A <c>.bin</c> shard is converted to a
    /// temporary safetensors file (in the temp folder, deleted when disposed), which holds the shard's tensors in
    /// memory once while it is written.
    /// </summary>
    public static IReadOnlyList<SafetensorsFile> Open(string componentDirectory, string? variant = null)
    {
        var opened = new List<SafetensorsFile>();
        try
        {
            foreach (var path in Locate(componentDirectory, variant))
                opened.Add(IsPickle(path) ? OpenPickle(path) : SafetensorsFile.Open(path));
            return opened;
        }
        catch
        {
            foreach (var f in opened) f.Dispose();
            throw;
        }
    }

    private static SafetensorsFile OpenPickle(string path)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"safediffusion-{Path.GetFileNameWithoutExtension(path)}-{Guid.NewGuid():N}.safetensors");
        try
        {
            PthToSafetensorsConverter.Convert(path, copy);
            return SafetensorsFile.OpenTemporary(copy);
        }
        catch
        {
            File.Delete(copy);
            throw;
        }
    }

    private static InputDataException NoWeights(string componentDirectory, string? variant)
    {
        var present = Directory.EnumerateFiles(componentDirectory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        var variants = present.Select(f => VariantFileName().Match(f)).Where(m => m.Success).Select(m => m.Groups["variant"].Value)
            .Distinct(StringComparer.Ordinal).Where(v => v != variant).ToList();
        var expected = variant is null
            ? $"{SafetensorsStems[0]}.safetensors, {SafetensorsStems[1]}.safetensors or a .bin of the same stem"
            : $"{SafetensorsStems[0]}.{variant}.safetensors or the plain {SafetensorsStems[0]}.safetensors (or model.*, or a .bin)";
        var listing = present.Count == 0 ? "the folder is empty" : "it holds " + string.Join(", ", present.Take(12)) + (present.Count > 12 ? $" and {present.Count - 12} more" : "");
        var fix = variants.Count > 0
            ? $"Set `variant: {variants[0]}` on this model under `models:` in the config (the files there are that variant)."
            : variant is null
                ? "Copy the component's weights again; a variant-only download needs `variant:` under `models:`."
                : $"The configured `variant: {variant}` has no files here: download that variant or remove `variant:` under `models:`.";
        return new InputDataException(componentDirectory,
            $"has no weights {(variant is null ? "(no `variant:` is set)" : $"for `variant: {variant}`")}: expected {expected}; {listing}.",
            fix: fix);
    }

    /// <summary>A variant weight file: <c>stem.VARIANT.safetensors</c> or <c>.bin</c>, as diffusers names them.</summary>
    [GeneratedRegex(@"^(?:diffusion_pytorch_model|model|pytorch_model)\.(?<variant>[A-Za-z0-9_-]+)\.(?:safetensors|bin)$")]
    private static partial Regex VariantFileName();

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
