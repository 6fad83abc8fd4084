using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Safetensors;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Checkpoints;

/// <summary>
/// Writes a trained model as a diffusers folder that every loader in the project (and diffusers itself) reads:
/// <c>model_index.json</c>, each trained component as its base's <c>config.json</c> plus float32 weights under the
/// file name diffusers gives them (<c>diffusion_pytorch_model.safetensors</c>, <c>model.safetensors</c> for the text
/// encoder), and the other components of the base model hard-linked, copied or linked (<see cref="FrozenComponentMode"/>).
/// The folder is built under a hidden temp name and renamed into place, so it is never seen half written.
/// </summary>
public static class DiffusersModelWriter
{
    /// <param name="outputDirectory">The model folder to create (replaced if it exists).</param>
    /// <param name="baseDirectory">The model training started from: config files and untouched components come from it.</param>
    /// <param name="trained">Trained components by folder name (unet, vae, text_encoder) and the modules holding their weights.</param>
    public static void Write(string outputDirectory, string baseDirectory, IReadOnlyDictionary<string, nn.Module> trained, FrozenComponentMode frozen)
    {
        var output = Path.GetFullPath(outputDirectory);
        var baseDir = Path.GetFullPath(baseDirectory);
        var index = Path.Combine(baseDir, "model_index.json");
        if (!File.Exists(index))
            throw new InputDataException(baseDir, "has no model_index.json, so it is not a diffusers model folder.", fix: "Point the stage's model at a diffusers folder.");
        var parent = Path.GetDirectoryName(output)!;
        Directory.CreateDirectory(parent);
        var temp = AtomicFile.TempPathFor(output);
        try
        {
            Directory.CreateDirectory(temp);
            File.Copy(index, Path.Combine(temp, "model_index.json"));
            foreach (var (name, module) in trained)
            {
                var source = Path.Combine(baseDir, name);
                var config = Path.Combine(source, "config.json");
                if (!File.Exists(config))
                    throw new InputDataException(source, "has no config.json for the trained component.", fix: "The base model folder is incomplete.");
                var target = Directory.CreateDirectory(Path.Combine(temp, name)).FullName;
                File.Copy(config, Path.Combine(target, "config.json"));
                var weights = name == StableDiffusionComponents.TextEncoder ? "model.safetensors" : "diffusion_pytorch_model.safetensors";
                WriteFloat32(Path.Combine(target, weights), module);
            }
            foreach (var source in Directory.EnumerateDirectories(baseDir))
            {
                var name = Path.GetFileName(source);
                if (trained.ContainsKey(name) || name.StartsWith('.')) continue;
                var target = Path.Combine(temp, name);
                if (frozen == FrozenComponentMode.SymbolicLink)
                    Directory.CreateSymbolicLink(target, new DirectoryInfo(source).ResolveLinkTarget(true)?.FullName ?? source);
                else
                    FileLinks.LinkOrCopyTree(source, target, tryLink: frozen == FrozenComponentMode.HardLink);
            }
            Replace(temp, output);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Moves a finished folder over <paramref name="output"/>: the old one is renamed away first and then deleted.</summary>
    internal static void Replace(string finished, string output)
    {
        string? old = null;
        if (Directory.Exists(output) || File.Exists(output))
        {
            old = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.old-{Guid.NewGuid():N}");
            Directory.Move(output, old);
        }
        Directory.Move(finished, output);
        AtomicFile.FlushDirectory(Path.GetDirectoryName(output)!);
        if (old is not null) TryDelete(old);
    }

    /// <summary>A module's state dict as float32 safetensors (diffusers' "pt" format tag).</summary>
    internal static void WriteFloat32(string path, nn.Module module)
    {
        using var scope = NewDisposeScope();
        var tensors = module.state_dict()
            .Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.dtype == ScalarType.Float32 ? kv.Value : kv.Value.to(ScalarType.Float32)))
            .ToList();
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    internal static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null) Directory.Delete(path, recursive: true);
            else if (Directory.Exists(path) || File.Exists(path)) File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
