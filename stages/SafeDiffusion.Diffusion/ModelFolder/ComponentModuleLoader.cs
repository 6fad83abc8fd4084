using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>Fills a freshly built component module from its folder's safetensors files and freezes it for inference.</summary>
public static class ComponentModuleLoader
{
    /// <param name="rename">Maps a module key to the file key (null: same name).</param>
    /// <returns>What matched; weights the module lacks (extra tensors in the file) are listed as unexpected, not an error.</returns>
    public static WeightLoadReport LoadWeights(torch.nn.Module module, string componentDirectory, string? variant, string componentName,
        Func<string, string>? rename = null)
    {
        var files = ComponentWeights.Open(componentDirectory, variant);
        WeightLoadReport report;
        try
        {
            report = ModuleWeightLoader.Load(module, files, rename);
        }
        finally
        {
            foreach (var f in files) f.Dispose();
        }
        report.ThrowIfMissing(componentName);
        module.eval();
        foreach (var p in module.parameters()) p.requires_grad = false;
        return report;
    }
}
