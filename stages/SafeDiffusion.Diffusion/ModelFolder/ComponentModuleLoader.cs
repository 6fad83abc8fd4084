using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>
/// Builds a component module and fills it from its folder's safetensors files, tensor by tensor (no second copy of
/// the weights), then freezes it for inference: eval mode, gradients off.
/// </summary>
public static class ComponentModuleLoader
{
    /// <param name="build">Creates the module; it may read the files' headers (shapes) but not their data.</param>
    /// <param name="rename">Maps a module key to the file key (null: same name).</param>
    /// <remarks>Tensors in the files that the module lacks are ignored (e.g. the position_ids buffers older exports carry).</remarks>
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
}
