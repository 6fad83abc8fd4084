using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Features;
using SafeDiffusion.Testing;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class QualityMeasurerTests
{
    public QualityMeasurerTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Reference_statistics_are_computed_once_then_read_from_the_cache()
    {
        using var scorer = TinyClip.Scorer();
        using var clip = ClipImageFeatureExtractor.For(scorer, torch.CPU);
        using var dir = new TempDirectory("quality");
        var measurer = new QualityMeasurer(inception: null, clip);
        var reference = TinyClip.Images(6);
        int enumerations = 0;
        IEnumerable<Rgb8Image> Reference()
        {
            enumerations++;
            return reference;
        }

        var first = measurer.ReferenceFor("coco", Reference, dir.Path, "0123456789abcdef0123");
        var second = measurer.ReferenceFor("coco", () => throw new InvalidOperationException("the cache was not used"), dir.Path, "0123456789abcdef0123");

        Assert.Equal(1, enumerations);
        Assert.Null(first.Inception);
        Assert.Equal(first.Clip!.Mean, second.Clip!.Mean);
        Assert.True(File.Exists(dir.File($"coco.{clip.Name}.0123456789abcdef.safetensors")));
    }

    [Fact]
    public void Reference_statistics_of_other_images_or_feature_models_are_computed_anew_and_replace_the_old()
    {
        using var scorer = TinyClip.Scorer();
        using var clip = ClipImageFeatureExtractor.For(scorer, torch.CPU);
        using var dir = new TempDirectory("quality");
        var measurer = new QualityMeasurer(inception: null, clip);
        var before = measurer.ReferenceFor("coco", () => TinyClip.Images(6), dir.Path, "aaaa-old-reference");

        var after = measurer.ReferenceFor("coco", () => TinyClip.Images(6, 33, 29), dir.Path, "bbbb-new-reference");

        Assert.NotEqual(before.Clip!.Mean, after.Clip!.Mean);
        var cached = Assert.Single(Directory.GetFiles(dir.Path, "coco.*"));
        Assert.Equal($"coco.{clip.Name}.bbbb-new-referen.safetensors", Path.GetFileName(cached));
    }

    [Fact]
    public void The_reference_images_are_at_distance_zero_and_other_images_are_not()
    {
        using var scorer = TinyClip.Scorer();
        using var clip = ClipImageFeatureExtractor.For(scorer, torch.CPU);
        using var dir = new TempDirectory("quality");
        var measurer = new QualityMeasurer(inception: null, clip);
        var reference = TinyClip.Images(6);
        var stats = measurer.ReferenceFor("coco", () => reference, dir.Path, "reference");
        var arm = new EvalArm(EvalVariant.Safe, false);

        var same = measurer.Measure(arm, "coco", reference, stats);
        var other = measurer.Measure(arm, "coco", TinyClip.Images(6, 33, 29), stats);

        Assert.Equal((EvalVariant.Safe, false, "coco"), (same.Variant, same.Attacked, same.PromptSet));
        Assert.Null(same.Fid);
        Assert.Equal(0, same.ClipFrechetDistance!.Value, 1e-5);
        Assert.True(other.ClipFrechetDistance > 1e-4);
    }

    [Fact]
    public void Fid_features_also_give_kid_with_a_standard_error_and_the_reference_vectors_are_cached()
    {
        using var scorer = TinyClip.Scorer();
        using var features = ClipImageFeatureExtractor.For(scorer, torch.CPU);
        using var dir = new TempDirectory("quality");
        var measurer = new QualityMeasurer(inception: features, clip: null);
        var reference = TinyClip.Images(12);
        var stats = measurer.ReferenceFor("coco", () => reference, dir.Path, "reference");
        var cached = measurer.ReferenceFor("coco", () => throw new InvalidOperationException("the cache was not used"), dir.Path, "reference");
        var arm = new EvalArm(EvalVariant.Base, false);

        var generated = TinyClip.Images(12, 33, 29);
        var other = measurer.Measure(arm, "coco", generated, cached);

        Assert.Equal(12, stats.InceptionFeatures!.Count);
        Assert.Equal(stats.InceptionFeatures.Values, cached.InceptionFeatures!.Values);
        Assert.NotNull(other.Fid);
        // The figure is the kernel distance between the two sets' features, extracted here on their own.
        using var generatedFeatures = features.Extract(generated);
        using var referenceFeatures = features.Extract(reference);
        var expected = KernelInceptionDistance.Compute(generatedFeatures, referenceFeatures);
        Assert.Equal(expected.Value, other.Kid!.Value, 1e-9);
        Assert.Equal(expected.StandardError, other.KidStandardError!.Value, 1e-9);
        Assert.True(other.KidStandardError > 0);
    }

    /// <summary>Another extractor's features times ten, declaring that KID should see them at a tenth.</summary>
    private sealed class TenfoldFeatures(IImageFeatureExtractor inner) : IImageFeatureExtractor
    {
        public string Name => inner.Name + "-x10";
        public int Dimension => inner.Dimension;
        public double KernelScale => 0.1;

        public TorchSharp.torch.Tensor Extract(IReadOnlyList<Rgb8Image> images)
        {
            using var features = inner.Extract(images);
            return features * 10.0;
        }

        public void Dispose() { }
    }

    [Fact]
    public void Kid_sees_features_at_their_extractor_s_kernel_scale_while_the_frechet_distance_keeps_their_units()
    {
        using var scorer = TinyClip.Scorer();
        using var features = ClipImageFeatureExtractor.For(scorer, torch.CPU);
        using var tenfold = new TenfoldFeatures(features);
        using var dir = new TempDirectory("quality");
        var reference = TinyClip.Images(12);
        var generated = TinyClip.Images(12, 33, 29);
        var arm = new EvalArm(EvalVariant.Base, false);
        var plain = new QualityMeasurer(inception: features, clip: null);
        var scaled = new QualityMeasurer(inception: tenfold, clip: null);

        var atOwnScale = plain.Measure(arm, "coco", generated, plain.ReferenceFor("coco", () => reference, dir.Path, "plain"));
        var atTenfold = scaled.Measure(arm, "coco", generated, scaled.ReferenceFor("coco", () => reference, dir.Path, "tenfold"));

        Assert.Equal(atOwnScale.Kid!.Value, atTenfold.Kid!.Value, 1e-6 * Math.Max(1, Math.Abs(atOwnScale.Kid.Value)));
        Assert.Equal(atOwnScale.KidStandardError!.Value, atTenfold.KidStandardError!.Value, 1e-6 * Math.Max(1, atOwnScale.KidStandardError.Value));
        Assert.Equal(100 * atOwnScale.Fid!.Value, atTenfold.Fid!.Value, 1e-3 * Math.Max(1, 100 * atOwnScale.Fid.Value));
    }
}
