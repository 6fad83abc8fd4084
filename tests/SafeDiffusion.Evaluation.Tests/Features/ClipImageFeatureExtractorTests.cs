using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Evaluation.Features;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class ClipImageFeatureExtractorTests
{
    public ClipImageFeatureExtractorTests() => LibTorchRuntime.EnsureLoadable();

    [Trait("Category", "Slow")]
    [Fact]
    public void Features_are_unit_length_and_do_not_depend_on_the_batch_size()
    {
        using var scorer = TinyClip.Scorer();
        var images = TinyClip.Images(5);
        using var batched = ClipImageFeatureExtractor.For(scorer, torch.CPU, batchSize: 2);
        using var whole = ClipImageFeatureExtractor.For(scorer, torch.CPU, batchSize: 16);

        using var a = batched.Extract(images);
        using var b = whole.Extract(images);

        Assert.Equal([5L, TinyClip.Projection], a.shape);
        Assert.Equal(TinyClip.Projection, batched.Dimension);
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
        using var norms = a.norm(1);
        Assert.True(norms.allclose(torch.ones(5), atol: 1e-5));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Collecting_in_chunks_fits_the_same_gaussian_and_a_set_is_at_distance_zero_from_itself()
    {
        using var scorer = TinyClip.Scorer();
        using var extractor = ClipImageFeatureExtractor.For(scorer, torch.CPU);
        var images = TinyClip.Images(7);

        var chunked = FeatureStatistics.Collect(extractor, images, chunk: 3);
        var single = FeatureStatistics.Collect(extractor, images, chunk: 100);

        Assert.Equal(7, chunked.Count);
        Assert.Equal(extractor.Name, chunked.Features);
        for (int i = 0; i < chunked.Dimension; i++)
        {
            Assert.Equal(single.Mean[i], chunked.Mean[i], 1e-6);
            for (int j = 0; j < chunked.Dimension; j++) Assert.Equal(single.Covariance[i, j], chunked.Covariance[i, j], 1e-6);
        }
        Assert.Equal(0, FeatureStatistics.Distance(chunked, single), 1e-5);
        var other = FeatureStatistics.Collect(extractor, TinyClip.Images(7, 31, 27).Select((im, k) => k % 2 == 0 ? im : images[k]));
        Assert.True(FeatureStatistics.Distance(chunked, other) > 0);
    }
}
