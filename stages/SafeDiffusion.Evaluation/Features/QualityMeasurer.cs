using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Images.Export;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// FID and the CLIP-space Frechet distance of one arm's images on one clean set against that set's reference
/// statistics, for the evaluation stage. Reference statistics are computed once per set and cached as safetensors
/// (<see cref="ReferenceFor"/>), so reruns and every arm reuse them.
/// </summary>
public sealed class QualityMeasurer(IImageFeatureExtractor? inception, IImageFeatureExtractor? clip, int chunk = 256)
{
    /// <summary>
    /// The set's reference statistics: read from <c>&lt;cacheFolder&gt;/&lt;set&gt;.&lt;features&gt;.&lt;source&gt;.safetensors</c>
    /// when present (and of the same features), otherwise computed from <paramref name="referenceImages"/> and saved
    /// there, replacing the set's statistics of other sources. The images are enumerated once per missing statistic.
    /// </summary>
    /// <param name="sourceFingerprint">Identifies the reference images and the feature models (by content): statistics
    /// cached under another fingerprint are never used.</param>
    public ReferenceStatistics ReferenceFor(string promptSet, Func<IEnumerable<Rgb8Image>> referenceImages, string cacheFolder,
        string sourceFingerprint, CancellationToken ct = default)
    {
        Directory.CreateDirectory(cacheFolder);
        return new ReferenceStatistics(
            inception is null ? null : Cached(inception, promptSet, referenceImages, cacheFolder, sourceFingerprint, ct),
            clip is null ? null : Cached(clip, promptSet, referenceImages, cacheFolder, sourceFingerprint, ct));
    }

    /// <summary>The figures for <paramref name="generated"/> (at least two images) against <paramref name="reference"/>.</summary>
    public QualityMeasurement Measure(EvalArm arm, string promptSet, IEnumerable<Rgb8Image> generated, ReferenceStatistics reference, CancellationToken ct = default)
    {
        var images = generated as IReadOnlyList<Rgb8Image> ?? generated.ToList();
        double? fid = inception is not null && reference.Inception is { } ri
            ? FeatureStatistics.Distance(FeatureStatistics.Collect(inception, images, chunk, ct), ri)
            : null;
        double? clipFd = clip is not null && reference.Clip is { } rc
            ? FeatureStatistics.Distance(FeatureStatistics.Collect(clip, images, chunk, ct), rc)
            : null;
        return new QualityMeasurement(arm.Variant, arm.Attacked, promptSet, fid, clipFd);
    }

    private GaussianStatistics Cached(IImageFeatureExtractor extractor, string promptSet, Func<IEnumerable<Rgb8Image>> images, string folder,
        string sourceFingerprint, CancellationToken ct)
    {
        var stem = $"{ImageExporter.SafeFileStem(promptSet)}.{extractor.Name}.";
        var path = Path.Combine(folder, $"{stem}{sourceFingerprint[..Math.Min(16, sourceFingerprint.Length)]}.safetensors");
        if (File.Exists(path))
        {
            var cached = GaussianStatistics.Load(path);
            if (cached.Features == extractor.Name && cached.Dimension == extractor.Dimension) return cached;
        }
        var stats = FeatureStatistics.Collect(extractor, images(), chunk, ct);
        foreach (var stale in Directory.EnumerateFiles(folder, stem + "*.safetensors")) File.Delete(stale);
        stats.Save(path);
        return stats;
    }
}
