using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Evaluation.Features;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class FeatureStatisticsAccumulatorTests
{
    public FeatureStatisticsAccumulatorTests() => LibTorchRuntime.EnsureLoadable();

    private static float[][] Vectors(int count, int dims, double offset, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, dims).Select(j => (float)(offset + random.NextDouble() * (j + 1))).ToArray())
            .ToArray();
    }

    [Fact]
    public void Batched_statistics_equal_the_two_pass_mean_and_sample_covariance()
    {
        const int dims = 6;
        var vectors = Vectors(23, dims, offset: 1000, seed: 5);
        using var accumulator = new FeatureStatisticsAccumulator(dims, "test");
        accumulator.Add(vectors[..7]);
        accumulator.Add(vectors[7..8]);
        accumulator.Add(vectors[8..]);
        var stats = accumulator.Build();

        int n = vectors.Length;
        var mean = new double[dims];
        foreach (var v in vectors) for (int j = 0; j < dims; j++) mean[j] += (double)v[j] / n;
        Assert.Equal(n, stats.Count);
        for (int a = 0; a < dims; a++)
        {
            Assert.Equal(mean[a], stats.Mean[a], 1e-9);
            for (int b = 0; b < dims; b++)
            {
                double cov = vectors.Sum(v => (v[a] - mean[a]) * (v[b] - mean[b])) / (n - 1);
                Assert.Equal(cov, stats.Covariance[a, b], 1e-9);
            }
        }
    }

    [Fact]
    public void A_single_vector_has_no_covariance()
    {
        using var accumulator = new FeatureStatisticsAccumulator(3, "test");
        accumulator.Add([new float[] { 1, 2, 3 }]);
        Assert.Throws<InvalidOperationException>(() => accumulator.Build());
    }

    [Fact]
    public void Statistics_survive_a_safetensors_round_trip()
    {
        using var accumulator = new FeatureStatisticsAccumulator(4, "inception-v3-fid-pool3");
        accumulator.Add(Vectors(10, 4, 0, 9));
        var stats = accumulator.Build();
        using var dir = new TempDirectory("stats");
        stats.Save(dir.File("ref.safetensors"));
        var loaded = GaussianStatistics.Load(dir.File("ref.safetensors"));
        Assert.Equal(stats.Mean, loaded.Mean);
        Assert.Equal(stats.Covariance, loaded.Covariance);
        Assert.Equal(10, loaded.Count);
        Assert.Equal("inception-v3-fid-pool3", loaded.Features);
        Assert.Equal(0, FrechetDistance.Compute(stats, loaded), 1e-9);
    }

    [Fact]
    public void Statistics_of_different_features_are_not_compared()
    {
        var a = new GaussianStatistics([0.0], new double[,] { { 1 } }, 2, "inception");
        var b = a with { Features = "clip" };
        Assert.Throws<ArgumentException>(() => FeatureStatistics.Distance(a, b));
    }
}
