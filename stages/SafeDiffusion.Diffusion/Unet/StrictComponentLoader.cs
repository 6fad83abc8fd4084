using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// Fills a freshly built component from its folder's safetensors, strictly: a weight the config calls for but the
/// files lack, a tensor of the wrong shape, or a tensor the config has no place for all mean the weights and the
/// config.json do not belong together, and each is reported naming the file and the tensor.
/// </summary>
public static class StrictComponentLoader
{
    /// <param name="component">Name for messages, e.g. <c>unet</c>.</param>
    /// <param name="legacyNames">Maps a module key to an older key the files may use instead (null: none).</param>
    public static void LoadStrict(nn.Module module, string componentDirectory, string? variant, string component,
        Func<string, string?>? legacyNames = null)
    {
        var files = ComponentWeights.Open(componentDirectory, variant);
        try
        {
            var present = new HashSet<string>(files.SelectMany(f => f.Tensors.Keys), StringComparer.Ordinal);
            Func<string, string>? rename = legacyNames is null
                ? null
                : key => !present.Contains(key) && legacyNames(key) is { } old && present.Contains(old) ? old : key;
            var report = ModuleWeightLoader.Load(module, files, rename);
            report.ThrowIfMissing(component);
            if (report.Unexpected.Count > 0)
            {
                var file = files.First(f => f.Contains(report.Unexpected[0])).Path;
                throw new InputDataException(file,
                    $"has {report.Unexpected.Count} tensor(s) that {component}'s config.json has no place for, e.g. {string.Join(", ", report.Unexpected.Take(5))}.",
                    $"tensor '{report.Unexpected[0]}'",
                    "Check that the weights and config.json come from the same model.");
            }
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }
}
