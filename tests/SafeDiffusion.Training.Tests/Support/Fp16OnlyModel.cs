using SafeDiffusion.Diffusion.Safetensors;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Support;

/// <summary>
/// A copy of a diffusers folder as a variant-only download has it: every weight file only as
/// <c>stem.fp16.safetensors</c> in float16 (the fixture's own fp16 file where it ships one), no plain weights.
/// </summary>
internal static class Fp16OnlyModel
{
    public static string Create(string source, string destination)
    {
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, dir)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            var name = Path.GetFileName(file);
            if (!name.EndsWith(".safetensors", StringComparison.Ordinal)) { File.Copy(file, target); continue; }
            if (name.Contains(".fp16.", StringComparison.Ordinal)) { File.Copy(file, target); continue; }
            var variant = Path.Combine(Path.GetDirectoryName(target)!, Path.GetFileNameWithoutExtension(name) + ".fp16.safetensors");
            if (File.Exists(Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileName(variant)))) continue;
            using var scope = NewDisposeScope();
            using var plain = SafetensorsFile.Open(file);
            SafetensorsWriter.Write(variant, plain.Tensors.Keys.Select(k =>
                new KeyValuePair<string, Tensor>(k, plain.Load(k) is var t && t.is_floating_point() ? t.to(ScalarType.Float16) : t)));
        }
        return destination;
    }
}
