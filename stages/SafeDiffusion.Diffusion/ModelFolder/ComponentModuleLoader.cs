using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>
/// Fills component modules from their folder's safetensors files, tensor by tensor (no second copy of the weights).
/// Two policies: <see cref="Load{TModule}"/> builds a module for inference and ignores tensors it has no place for
/// (transformers exports carry extras such as position_ids); <see cref="LoadStrict"/> refuses them, because for
/// diffusers components an extra tensor means the weights and config.json do not belong together.
/// </summary>
public static class ComponentModuleLoader
{
    /// <summary>Builds a module, loads its weights, and freezes it for inference (eval mode, gradients off).</summary>
    /// <param name="build">Creates the module; it may read the files' headers (shapes) but not their data.</param>
    /// <param name="rename">Maps a module key to the file key (null: same name).</param>
    public static TModule Load<TModule>(string componentDirectory, string? variant, string componentName,
        Func<IReadOnlyList<SafetensorsFile>, TModule> build, Func<string, string>? rename = null) where TModule : torch.nn.Module
    {
        LibTorchRuntime.EnsureLoadable();
        var files = ComponentWeights.Open(componentDirectory, variant);
        try
        {
            var module = build(files);
            try
            {
                ModuleWeightLoader.Load(module, files, rename).ThrowIfMissing(componentName);
                module.eval();
                foreach (var p in module.parameters()) p.requires_grad = false;
                return module;
            }
            catch
            {
                module.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
    }

    /// <summary>
    /// Fills an already built module strictly: a missing weight, a wrong shape, or a tensor the config has no place
    /// for is reported naming the file and the tensor. Training state (mode, gradients) is left to the caller.
    /// </summary>
    /// <param name="legacyNames">Maps a module key to an older key the files may use instead (null: none).</param>
    public static void LoadStrict(torch.nn.Module module, string componentDirectory, string? variant, string componentName,
        Func<string, string?>? legacyNames = null)
    {
        LibTorchRuntime.EnsureLoadable();
        var files = ComponentWeights.Open(componentDirectory, variant);
        try
        {
            var present = new HashSet<string>(files.SelectMany(f => f.Tensors.Keys), StringComparer.Ordinal);
            Func<string, string>? rename = legacyNames is null
                ? null
                : key => !present.Contains(key) && legacyNames(key) is { } old && present.Contains(old) ? old : key;
            var report = ModuleWeightLoader.Load(module, files, rename);
            report.ThrowIfMissing(componentName);
            if (report.Unexpected.Count > 0)
            {
                var file = files.First(f => f.Contains(report.Unexpected[0])).Path;
                throw new InputDataException(file,
                    $"has {report.Unexpected.Count} tensor(s) that {componentName}'s config.json has no place for, e.g. {string.Join(", ", report.Unexpected.Take(5))}.",
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
