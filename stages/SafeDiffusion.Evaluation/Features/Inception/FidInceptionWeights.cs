using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Checkpoints;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>
/// Loads FID Inception weights into <see cref="FidInceptionV3"/> from pytorch-fid's
/// <c>pt_inception-2015-12-05-6726825d.pth</c> or its safetensors conversion (<c>pipeline models convert --from pth
/// --to safetensors</c>). The file kind is told by its bytes, not its name. Every parameter and running statistic must
/// be present; <c>num_batches_tracked</c> may be absent (older PyTorch did not save it and evaluation never reads it),
/// and a tensor the model has no place for means the file is some other network.
/// </summary>
public static class FidInceptionWeights
{
    public const string ExpectedFileName = "pt_inception-2015-12-05-6726825d.pth";

    public static FidInceptionV3 Load(string path, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        // Float32 is TorchSharp's default; passing it explicitly would also make num_batches_tracked float, unlike PyTorch.
        var model = new FidInceptionV3(device, dtype == ScalarType.Float32 ? null : dtype);
        try
        {
            LoadInto(model, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public static void LoadInto(FidInceptionV3 model, string path)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.",
                fix: $"Download pytorch-fid's {ExpectedFileName}, or convert it with `pipeline models convert --from pth --to safetensors`.");
        if (IsSafetensors(path)) LoadSafetensors(model, path);
        else LoadPth(model, path);
        model.eval();
    }

    /// <summary>A safetensors file starts with an 8-byte header length and then the JSON header's '{'.</summary>
    private static bool IsSafetensors(string path)
    {
        Span<byte> head = stackalloc byte[9];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 9, throwOnEndOfStream: false) == 9 && head[8] == (byte)'{';
    }

    private static void LoadSafetensors(FidInceptionV3 model, string path)
    {
        using var file = SafetensorsFile.Open(path);
        CheckNotTorchvision(path, file.Tensors.Keys, file.Contains("fc.weight") ? file.Entry("fc.weight").Shape : null);
        var report = ModuleWeightLoader.Load(model, [file]);
        Check(path, report.Missing, report.Unexpected);
    }

    private static void LoadPth(FidInceptionV3 model, string path)
    {
        using var stateDict = PthStateDict.Read(path);
        CheckNotTorchvision(path, stateDict.Tensors.Keys, stateDict.Tensors.TryGetValue("fc.weight", out var fc) ? fc.shape : null);
        var missing = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        using (torch.no_grad())
        {
            foreach (var (name, target) in model.state_dict())
            {
                if (!stateDict.Tensors.TryGetValue(name, out var source))
                {
                    missing.Add(name);
                    continue;
                }
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InputDataException(path, $"has shape [{string.Join(", ", source.shape)}] but the FID Inception expects [{string.Join(", ", target.shape)}].",
                        $"tensor '{name}'", "Use pytorch-fid's FID Inception weights.");
                target.copy_(source);
                used.Add(name);
            }
        }
        Check(path, missing, stateDict.Tensors.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList());
    }

    private static void Check(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected)
    {
        var reallyMissing = missing.Where(m => !m.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        if (reallyMissing.Count > 0)
            throw new InputDataException(path, $"lacks {reallyMissing.Count} of the FID Inception's weights, e.g. {string.Join(", ", reallyMissing.Take(5))}.",
                fix: $"Use pytorch-fid's {ExpectedFileName} (or its safetensors conversion).");
        if (unexpected.Count > 0)
            throw new InputDataException(path, $"has {unexpected.Count} tensor(s) the FID Inception does not, e.g. {string.Join(", ", unexpected.Take(5))}.",
                fix: $"Use pytorch-fid's {ExpectedFileName} (or its safetensors conversion).");
    }

    /// <summary>torchvision's ImageNet Inception has the same layer names but other weights, and FID scores from it are not comparable.</summary>
    private static void CheckNotTorchvision(string path, IEnumerable<string> names, long[]? fcShape)
    {
        if (names.Any(n => n.StartsWith("AuxLogits.", StringComparison.Ordinal)) || (fcShape is { Length: 2 } && fcShape[0] == 1000))
            throw new InputDataException(path, "holds torchvision's ImageNet Inception v3 weights, not the FID Inception's.",
                fix: $"FID needs pytorch-fid's {ExpectedFileName} (TensorFlow's 2015-12-05 graph, 1008 classes).");
    }
}
