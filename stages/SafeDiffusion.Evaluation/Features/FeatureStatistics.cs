using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>Runs an extractor over an image stream in chunks and fits the Gaussian, holding one chunk of images at a time.</summary>
public static class FeatureStatistics
{
    public static GaussianStatistics Collect(IImageFeatureExtractor extractor, IEnumerable<Rgb8Image> images, int chunk = 256, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunk, 1);
        using var accumulator = new FeatureStatisticsAccumulator(extractor.Dimension, extractor.Name);
        var pending = new List<Rgb8Image>(chunk);
        foreach (var image in images)
        {
            pending.Add(image);
            if (pending.Count < chunk) continue;
            Flush();
        }
        Flush();
        return accumulator.Build();

        void Flush()
        {
            ct.ThrowIfCancellationRequested();
            if (pending.Count == 0) return;
            using var features = extractor.Extract(pending);
            accumulator.Add(features);
            pending.Clear();
        }
    }

    /// <summary>The Frechet distance between two statistics of the same features.</summary>
    public static double Distance(GaussianStatistics generated, GaussianStatistics reference)
    {
        if (!string.Equals(generated.Features, reference.Features, StringComparison.Ordinal))
            throw new ArgumentException($"statistics of '{generated.Features}' cannot be compared with statistics of '{reference.Features}'.");
        return FrechetDistance.Compute(generated, reference);
    }
}
