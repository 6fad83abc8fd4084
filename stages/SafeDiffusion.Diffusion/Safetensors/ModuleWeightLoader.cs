using SafeDiffusion.Core.Errors;
using TorchSharp;

namespace SafeDiffusion.Diffusion.Safetensors;

/// <summary>What loading a component's weights matched and what it did not.</summary>
public sealed record WeightLoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> Files)
{
    public bool Complete => Missing.Count == 0;

    /// <summary>Missing weights leave a model half random: refuse, naming the file and the first names.</summary>
    public void ThrowIfMissing(string component)
    {
        if (Missing.Count == 0) return;
        var file = Files.Count == 1 ? Files[0] : string.Join(", ", Files);
        throw new InputDataException(file,
            $"lacks {Missing.Count} weight(s) that {component}'s config.json calls for, e.g. {string.Join(", ", Missing.Take(5))}.",
            fix: "Check that the weights and config.json come from the same model.");
    }
}

/// <summary>
/// Fills a module's parameters and buffers by name from safetensors files, one tensor at a time, converting to the
/// module's dtype and device as it goes: no second copy of the model is ever held.
/// </summary>
public static class ModuleWeightLoader
{
    /// <param name="rename">Maps a module key to the key in the file (null: the same name).</param>
    public static WeightLoadReport Load(torch.nn.Module module, IReadOnlyList<SafetensorsFile> files, Func<string, string>? rename = null)
    {
        var byName = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        foreach (var f in files)
        foreach (var name in f.Tensors.Keys)
            byName.TryAdd(name, f);

        var used = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (key, tensor) in module.state_dict())
        {
            var fileKey = rename?.Invoke(key) ?? key;
            if (!byName.TryGetValue(fileKey, out var file))
            {
                missing.Add(key);
                continue;
            }
            file.CopyInto(fileKey, tensor);
            used.Add(fileKey);
        }
        var unexpected = byName.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        return new WeightLoadReport(missing, unexpected, files.Select(f => f.Path).ToList());
    }
}
