using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Images.Export;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// FID, KID (with its standard error) and the CLIP-space Frechet distance of one arm's images on one clean set against
/// that set's reference, for the evaluation stage. Reference statistics and features are computed once per set and
/// cached as safetensors (<see cref="ReferenceFor"/>), so reruns and every arm reuse them.
/// </summary>
public sealed class QualityMeasurer(IImageFeatureExtractor? inception, IImageFeatureExtractor? clip, int chunk = 256)
{
    /// <summary>
    /// Reference vectors kept for KID: its cost grows with the square of the sample, and a few thousand vectors already
    /// make the reference side's share of its standard error small next to a few hundred generated images.
    /// </summary>
    public const int MaxKernelReference = 4096;

    /// <summary>
    /// The set's reference statistics: read from <c>&lt;cacheFolder&gt;/&lt;set&gt;.&lt;features&gt;.&lt;source&gt;.safetensors</c>
    /// when present (and of the same features), otherwise computed from <paramref name="referenceImages"/> and saved
    /// there, replacing the set's statistics of other sources; likewise the Inception-space vectors for KID
    /// (<c>&lt;set&gt;.&lt;features&gt;-vectors.&lt;source&gt;.safetensors</c>, the first <see cref="MaxKernelReference"/> images).
    /// The images are enumerated once per missing file.
    /// </summary>
    /// <param name="sourceFingerprint">Identifies the reference images and the feature models (by content): statistics
    /// cached under another fingerprint are never used.</param>
    public ReferenceStatistics ReferenceFor(string promptSet, Func<IEnumerable<Rgb8Image>> referenceImages, string cacheFolder,
        string sourceFingerprint, CancellationToken ct = default)
    {
        Directory.CreateDirectory(cacheFolder);
        return new ReferenceStatistics(
            inception is null ? null : Cached(inception, promptSet, referenceImages, cacheFolder, sourceFingerprint, ct),
            clip is null ? null : Cached(clip, promptSet, referenceImages, cacheFolder, sourceFingerprint, ct),
            inception is null ? null : CachedVectors(inception, promptSet, referenceImages, cacheFolder, sourceFingerprint, ct));
    }

    /// <summary>The figures for <paramref name="generated"/> (at least two images) against <paramref name="reference"/>.</summary>
    public QualityMeasurement Measure(EvalArm arm, string promptSet, IEnumerable<Rgb8Image> generated, ReferenceStatistics reference, CancellationToken ct = default)
    {
        var images = generated as IReadOnlyList<Rgb8Image> ?? generated.ToList();
        double? fid = null;
        KernelDistance? kid = null;
        if (inception is not null && (reference.Inception is not null || reference.InceptionFeatures is not null))
        {
            var sample = FeatureSample.Extract(inception, images, chunk, ct: ct);
            if (reference.Inception is { } ri) fid = FeatureStatistics.Distance(sample.Statistics(), ri);
            if (reference.InceptionFeatures is { } rf) kid = Kernel(sample, rf);
        }
        double? clipFd = clip is not null && reference.Clip is { } rc
            ? FeatureStatistics.Distance(FeatureStatistics.Collect(clip, images, chunk, ct), rc)
            : null;
        return new QualityMeasurement(arm.Variant, arm.Attacked, promptSet, fid, clipFd, kid?.Value, kid?.StandardError);
    }

    private KernelDistance Kernel(FeatureSample generated, FeatureSample reference)
    {
        if (!string.Equals(generated.Features, reference.Features, StringComparison.Ordinal))
            throw new ArgumentException($"features of '{generated.Features}' cannot be compared with features of '{reference.Features}'.");
        double scale = inception!.KernelScale;
        using var g = generated.ToTensor();
        using var r = reference.ToTensor();
        if (scale == 1.0) return KernelInceptionDistance.Compute(g, r);
        using var gs = g * scale;
        using var rs = r * scale;
        return KernelInceptionDistance.Compute(gs, rs);
    }

    private FeatureSample CachedVectors(IImageFeatureExtractor extractor, string promptSet, Func<IEnumerable<Rgb8Image>> images, string folder,
        string sourceFingerprint, CancellationToken ct) =>
        CachedFile($"{ImageExporter.SafeFileStem(promptSet)}.{extractor.Name}-vectors.", folder, sourceFingerprint,
            FeatureSample.Load, cached => cached.Features == extractor.Name && cached.Dimension == extractor.Dimension,
            () => FeatureSample.Extract(extractor, images(), chunk, MaxKernelReference, ct), (sample, path) => sample.Save(path));

    private GaussianStatistics Cached(IImageFeatureExtractor extractor, string promptSet, Func<IEnumerable<Rgb8Image>> images, string folder,
        string sourceFingerprint, CancellationToken ct) =>
        CachedFile($"{ImageExporter.SafeFileStem(promptSet)}.{extractor.Name}.", folder, sourceFingerprint,
            GaussianStatistics.Load, cached => cached.Features == extractor.Name && cached.Dimension == extractor.Dimension,
            () => FeatureStatistics.Collect(extractor, images(), chunk, ct), (stats, path) => stats.Save(path));

    /// <summary>
    /// <c>&lt;stem&gt;&lt;fingerprint prefix&gt;.safetensors</c> when present and <paramref name="fits"/>; otherwise computed, saved
    /// there, and every file of the stem under another fingerprint removed.
    /// </summary>
    private static T CachedFile<T>(string stem, string folder, string sourceFingerprint, Func<string, T> load, Func<T, bool> fits,
        Func<T> compute, Action<T, string> save)
    {
        var path = Path.Combine(folder, $"{stem}{sourceFingerprint[..Math.Min(16, sourceFingerprint.Length)]}.safetensors");
        if (File.Exists(path) && load(path) is var cached && fits(cached)) return cached;
        var computed = compute();
        foreach (var stale in Directory.EnumerateFiles(folder, stem + "*.safetensors")) File.Delete(stale);
        save(computed, path);
        return computed;
    }
}
