using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// Feature vectors of a set of images, kept whole (float32, row-major [Count, Dimension]) for the kernel distance, which
/// needs the vectors themselves rather than their mean and covariance. Cached as safetensors with one F32 tensor
/// <c>features</c> and the metadata <c>features</c> (the extractor's name).
/// </summary>
public sealed record FeatureSample(float[] Values, int Count, int Dimension, string Features)
{
    /// <summary>Runs <paramref name="extractor"/> over <paramref name="images"/> in chunks, keeping at most <paramref name="limit"/> vectors.</summary>
    public static FeatureSample Extract(IImageFeatureExtractor extractor, IEnumerable<Rgb8Image> images, int chunk = 256, int limit = int.MaxValue, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        var values = new List<float>();
        var pending = new List<Rgb8Image>(chunk);
        int count = 0;
        foreach (var image in images)
        {
            if (count + pending.Count >= limit) break;
            pending.Add(image);
            if (pending.Count == chunk) Flush();
        }
        Flush();
        return new FeatureSample(values.ToArray(), count, extractor.Dimension, extractor.Name);

        void Flush()
        {
            ct.ThrowIfCancellationRequested();
            if (pending.Count == 0) return;
            using var features = extractor.Extract(pending);
            values.AddRange(features.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
            count += pending.Count;
            pending.Clear();
        }
    }

    /// <summary>A CPU float32 tensor [Count, Dimension], owned by the caller.</summary>
    public Tensor ToTensor()
    {
        LibTorchRuntime.EnsureLoadable();
        return torch.tensor(Values, [Count, Dimension], ScalarType.Float32);
    }

    /// <summary>Mean and covariance of the vectors (at least two).</summary>
    public GaussianStatistics Statistics()
    {
        using var accumulator = new FeatureStatisticsAccumulator(Dimension, Features);
        using var t = ToTensor();
        accumulator.Add(t);
        return accumulator.Build();
    }

    public void Save(string path)
    {
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["features"] = ToTensor() },
            new Dictionary<string, string> { ["features"] = Features, ["count"] = Count.ToString(CultureInfo.InvariantCulture) });
    }

    /// <exception cref="InputDataException">The file lacks a 2-D <c>features</c> tensor.</exception>
    public static FeatureSample Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        if (!file.Contains("features"))
            throw new InputDataException(path, "is missing.", "tensor 'features'", "Feature sample files hold 'features' [n, d]; delete the file to recompute it.");
        using var scope = torch.NewDisposeScope();
        var t = file.Load("features", ScalarType.Float32);
        if (t.dim() != 2)
            throw new InputDataException(path, $"has shape [{string.Join(", ", t.shape)}]; expected [n, d].", "tensor 'features'", "Delete the file to recompute it.");
        var name = file.Metadata.TryGetValue("features", out var f) ? f : "";
        return new FeatureSample(t.contiguous().data<float>().ToArray(), (int)t.shape[0], (int)t.shape[1], name);
    }
}
