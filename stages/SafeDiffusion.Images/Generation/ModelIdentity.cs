using System.Globalization;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Images.Generation;

/// <summary>
/// A short, stable identity for a model folder, stored with every image (<c>model_id</c>): the folder name plus a
/// hash of its configs and weight file sizes. Cheap (multi-GB weights are not read), and it changes whenever a
/// checkpoint is rewritten with other shapes or a different component. Only what a pipeline loads counts:
/// <c>model_index.json</c> and the component folders. Other files at the top (a model card, the tiny world's
/// build report and quality gate, with their timings) would give the same weights another identity on every
/// rebuild, and with it other image ids and another training order.
/// </summary>
public static class ModelIdentity
{
    public const string IndexFile = "model_index.json";

    public static string Of(string modelDirectory)
    {
        var parts = new List<string>();
        foreach (var file in Directory.EnumerateFiles(modelDirectory, "*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".safetensors", StringComparison.Ordinal) || f.EndsWith(".txt", StringComparison.Ordinal))
                     .Where(f => Path.GetDirectoryName(Path.GetRelativePath(modelDirectory, f)) is { Length: > 0 } || Path.GetFileName(f) == IndexFile)
                     .OrderBy(f => f, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(modelDirectory, file);
            parts.Add(file.EndsWith(".safetensors", StringComparison.Ordinal)
                ? $"{relative}:{new FileInfo(file).Length.ToString(CultureInfo.InvariantCulture)}:{WeightsFingerprint(file)}"
                : $"{relative}:{FileHash.Sha256(file)}");
        }
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(modelDirectory));
        return $"{name}@{FileHash.Sha256(name, [.. parts])[..12]}";
    }

    /// <summary>The header plus the first and last 64 KiB: changes when any tensor's layout or edge values change.</summary>
    private static string WeightsFingerprint(string file)
    {
        using var fs = File.OpenRead(file);
        var head = new byte[(int)Math.Min(fs.Length, 1 << 20)];
        fs.ReadExactly(head);
        var tail = new byte[(int)Math.Min(fs.Length, 1 << 16)];
        fs.Position = fs.Length - tail.Length;
        fs.ReadExactly(tail);
        return FileHash.Sha256([.. head, .. tail])[..16];
    }
}
