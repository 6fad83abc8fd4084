using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Evaluation.Features;
using static SafeDiffusion.Evaluation.Tests.Features.MatrixSquareRootTests;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class FrechetDistanceTests
{
    public FrechetDistanceTests() => LibTorchRuntime.EnsureLoadable();

    private static double[,] RandomCovariance(int dims, int seed)
    {
        var random = new Random(seed);
        var a = new double[dims, dims];
        for (int i = 0; i < dims; i++) for (int j = 0; j < dims; j++) a[i, j] = random.NextDouble() - 0.5;
        var cov = Multiply(a, Transpose(a));
        for (int i = 0; i < dims; i++) cov[i, i] += 0.1;
        return cov;
    }

    [Fact]
    public void Identical_gaussians_are_at_distance_zero()
    {
        var cov = RandomCovariance(40, 1);
        var mean = Enumerable.Range(0, 40).Select(i => i * 0.1).ToArray();
        Assert.Equal(0, FrechetDistance.Compute(mean, cov, mean, cov), 1e-9);
    }

    [Fact]
    public void One_dimensional_gaussians_match_the_closed_form()
    {
        // (m1 - m2)^2 + s1 + s2 - 2 sqrt(s1 s2) with m = 1, 3 and variances 4, 1: 4 + 4 + 1 - 4 = 5.
        Assert.Equal(5, FrechetDistance.Compute([1.0], new double[,] { { 4 } }, [3.0], new double[,] { { 1 } }), 1e-12);
    }

    [Fact]
    public void Diagonal_covariances_reduce_to_a_sum_over_dimensions()
    {
        double[] a = [1, 4, 9, 0.25], b = [4, 4, 1, 1];
        double[] m1 = [0, 1, 2, 3], m2 = [1, 1, 0, 3];
        double expected = 0;
        for (int i = 0; i < a.Length; i++)
            expected += Math.Pow(m1[i] - m2[i], 2) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2);
        Assert.Equal(expected, FrechetDistance.Compute(m1, Diagonal(a), m2, Diagonal(b)), 1e-10);
    }

    [Fact]
    public void Non_commuting_two_by_two_covariances_match_the_trace_root_identity()
    {
        // For a 2x2 matrix with non-negative eigenvalues, tr(sqrt(M)) = sqrt(tr(M) + 2 sqrt(det(M))).
        double[,] s1 = { { 2, 0.6 }, { 0.6, 1 } }, s2 = { { 1, -0.4 }, { -0.4, 3 } };
        var product = Multiply(s1, s2);
        double trace = product[0, 0] + product[1, 1];
        double det = product[0, 0] * product[1, 1] - product[0, 1] * product[1, 0];
        double crossTrace = Math.Sqrt(trace + 2 * Math.Sqrt(det));
        double expected = 0.25 + 0.25 + (2 + 1) + (1 + 3) - 2 * crossTrace;
        Assert.Equal(expected, FrechetDistance.Compute([0.5, 0.0], s1, [0.0, 0.5], s2), 1e-10);
        Assert.Equal(expected, FrechetDistance.Compute([0.0, 0.5], s2, [0.5, 0.0], s1), 1e-10);
    }

    [Fact]
    public void Mismatched_dimensions_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute([0.0, 1.0], Diagonal(1, 1), [0.0], Diagonal(1)));
    }
}
