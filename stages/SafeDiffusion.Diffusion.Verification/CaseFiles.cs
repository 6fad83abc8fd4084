using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>What the case kinds share besides their tensors (<see cref="CaseTensors"/>): JSON cases and component folders.</summary>
public static class CaseFiles
{
    public static JsonDocument ReadJson(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InputDataException(path, $"is not valid JSON ({e.Message})."); }
    }

    /// <summary>A component folder a case needs inside the model folder.</summary>
    public static string ComponentDirectory(string modelDirectory, string component)
    {
        var dir = Path.Combine(modelDirectory, component);
        if (!Directory.Exists(dir))
            throw new InputDataException(dir, "does not exist, but the cases folder has reference cases for it.",
                fix: $"Point the model folder at the one holding {component}/.");
        return dir;
    }
}
