using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// One case file's tensors, opened for reading. A tensor a case needs but the file lacks is a malformed case file,
/// reported naming the file and the tensor.
/// </summary>
public sealed class CaseTensors : IDisposable
{
    private readonly SafetensorsFile _file;

    private CaseTensors(SafetensorsFile file) => _file = file;

    public string Path => _file.Path;
    public string FileName => System.IO.Path.GetFileName(_file.Path);

    public static CaseTensors Open(string path) => new(SafetensorsFile.Open(path));

    public bool Contains(string name) => _file.Contains(name);

    /// <summary>The tensor <paramref name="name"/> on the CPU, converted to <paramref name="dtype"/> when given.</summary>
    public Tensor Require(string name, ScalarType? dtype = null)
    {
        if (!_file.Contains(name))
            throw new InputDataException(_file.Path, "lacks a tensor the case needs.", $"tensor '{name}'",
                "Regenerate the case file with the reference script.");
        return _file.Load(name, dtype);
    }

    /// <summary>A float tensor that must have exactly <paramref name="shape"/> (use -1 for any size).</summary>
    public Tensor RequireShape(string name, params long[] shape)
    {
        var t = Require(name);
        bool ok = t.shape.Length == shape.Length && t.shape.Zip(shape).All(p => p.Second < 0 || p.First == p.Second);
        if (!ok)
        {
            t.Dispose();
            throw new InputDataException(_file.Path,
                $"has shape [{string.Join(", ", _file.Entry(name).Shape)}] but the case needs [{string.Join(", ", shape.Select(s => s < 0 ? "*" : s.ToString()))}].",
                $"tensor '{name}'");
        }
        return t;
    }

    /// <summary>max |actual - expected| against <see cref="ParityTolerances.Component"/>, or the given rule.</summary>
    public CaseResult Compare(string name, Tensor actual, Tensor expected, Func<double, double>? tolerance = null)
    {
        using var scope = NewDisposeScope();
        string label = $"{FileName}:{name}";
        if (!actual.shape.SequenceEqual(expected.shape))
            return new CaseResult(label, double.PositiveInfinity, ParityTolerances.Exact,
                $"shape [{string.Join(", ", actual.shape)}] vs expected [{string.Join(", ", expected.shape)}]");
        if (expected.numel() == 0) return new CaseResult(label, 0, ParityTolerances.Exact, "empty tensor");
        var a = actual.detach().cpu().to_type(ScalarType.Float64);
        var e = expected.detach().cpu().to_type(ScalarType.Float64);
        double maxExpected = e.abs().max().item<double>();
        double error = (a - e).abs().max().item<double>();
        if (a.isnan().any().item<bool>()) error = double.NaN;
        return new CaseResult(label, error, (tolerance ?? ParityTolerances.Component)(maxExpected));
    }

    public void Dispose() => _file.Dispose();
}
