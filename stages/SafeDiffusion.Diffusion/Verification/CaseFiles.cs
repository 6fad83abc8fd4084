using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>Reading and comparing reference-case files, shared by the case kinds.</summary>
public static class CaseFiles
{
    /// <summary>A tensor the case file must contain, as float32 (ids keep their integer type).</summary>
    public static Tensor Require(SafetensorsFile file, string name)
    {
        if (!file.Contains(name))
            throw new InputDataException(file.Path, "lacks this input of the case.", $"tensor '{name}'", "Regenerate the case file.");
        return file.Load(name);
    }

    /// <summary>max |actual - expected| against the sd-parity component tolerance; a shape mismatch fails with a NaN error.</summary>
    public static CaseResult Compare(string caseName, Tensor actual, Tensor expected)
    {
        using var scope = torch.NewDisposeScope();
        if (!actual.shape.SequenceEqual(expected.shape))
            return new CaseResult(caseName, double.NaN, 0,
                $"shape [{string.Join(", ", actual.shape)}] but the reference has [{string.Join(", ", expected.shape)}]");
        var a = actual.to(ScalarType.Float64).cpu();
        var e = expected.to(ScalarType.Float64).cpu();
        double maxExpected = e.numel() == 0 ? 0 : e.abs().max().item<double>();
        double error = e.numel() == 0 ? 0 : (a - e).abs().max().item<double>();
        return new CaseResult(caseName, error, CaseResult.ComponentTolerance(maxExpected), $"max|reference| = {maxExpected:G4}");
    }

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
