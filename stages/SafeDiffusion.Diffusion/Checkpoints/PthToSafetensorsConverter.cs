using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;

namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>
/// Rewrites a PyTorch state dict (<c>.pth</c>, zip or legacy) as safetensors with the same tensor names, types and
/// shapes, so the pipeline's memory-mapped loader can read weights users only have as pickles (pytorch-fid's
/// Inception weights). The output appears atomically and records the source file in its metadata.
/// </summary>
public static class PthToSafetensorsConverter
{
    public static PthConversionResult Convert(string source, string destination)
    {
        var from = Path.GetFullPath(source);
        var to = Path.GetFullPath(destination);
        if (string.Equals(from, to, StringComparison.Ordinal))
            throw new InputDataException(source, "is also the output path.", fix: "Choose a different output file.");
        using var stateDict = PthStateDict.Read(from);
        long bytes = stateDict.Tensors.Values.Sum(t => t.NumberOfElements * t.ElementSize);
        var directory = Path.GetDirectoryName(to);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        SafetensorsWriter.Write(to, stateDict.Tensors, new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["converted_from"] = Path.GetFileName(from),
            ["source_format"] = stateDict.Format.ToString().ToLowerInvariant(),
            ["tensors"] = stateDict.Tensors.Count.ToString(CultureInfo.InvariantCulture),
        });
        return new PthConversionResult(from, to, stateDict.Format, stateDict.Tensors.Count, bytes);
    }
}
