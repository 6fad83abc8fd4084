using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Evaluation.Features;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class MatrixSquareRootTests
{
    public MatrixSquareRootTests() => LibTorchRuntime.EnsureLoadable();

    internal static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(1), k = a.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
        for (int l = 0; l < k; l++)
            c[i, j] += a[i, l] * b[l, j];
        return c;
    }

    internal static double[,] Transpose(double[,] a)
    {
        var t = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
        for (int j = 0; j < a.GetLength(1); j++)
            t[j, i] = a[i, j];
        return t;
    }

    internal static double[,] Diagonal(params double[] values)
    {
        var d = new double[values.Length, values.Length];
        for (int i = 0; i < values.Length; i++) d[i, i] = values[i];
        return d;
    }

    /// <summary>A rotation by <paramref name="a"/> about z, then by <paramref name="b"/> about x.</summary>
    internal static double[,] Rotation(double a, double b)
    {
        double[,] rz = { { Math.Cos(a), -Math.Sin(a), 0 }, { Math.Sin(a), Math.Cos(a), 0 }, { 0, 0, 1 } };
        double[,] rx = { { 1, 0, 0 }, { 0, Math.Cos(b), -Math.Sin(b) }, { 0, Math.Sin(b), Math.Cos(b) } };
        return Multiply(rx, rz);
    }

    private static void AssertClose(double[,] expected, double[,] actual, double tolerance)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        for (int i = 0; i < expected.GetLength(0); i++)
        for (int j = 0; j < expected.GetLength(1); j++)
            Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance, $"[{i},{j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }

    [Fact]
    public void Root_of_a_diagonal_is_the_root_of_its_entries()
    {
        AssertClose(Diagonal(2, 3, 0.5), MatrixSquareRoot.OfSymmetric(Diagonal(4, 9, 0.25)), 1e-12);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Root_of_a_rotated_diagonal_is_the_rotated_root()
    {
        var r = Rotation(0.7, -1.1);
        var a = Multiply(Multiply(r, Diagonal(16, 1, 0.04)), Transpose(r));
        var expected = Multiply(Multiply(r, Diagonal(4, 1, 0.2)), Transpose(r));
        AssertClose(expected, MatrixSquareRoot.OfSymmetric(a), 1e-12);
    }

    [Fact]
    public void Root_of_a_rank_deficient_covariance_keeps_its_null_space()
    {
        // Rank 2 in 3-D: 4 v1 v1^T + v2 v2^T with orthonormal v1, v2 (the columns of a rotation).
        var r = Rotation(0.3, 0.9);
        var a = Multiply(Multiply(r, Diagonal(4, 1, 0)), Transpose(r));
        var expected = Multiply(Multiply(r, Diagonal(2, 1, 0)), Transpose(r));
        AssertClose(expected, MatrixSquareRoot.OfSymmetric(a), 1e-7);
    }

    [Fact]
    public void Root_of_a_sample_covariance_from_fewer_samples_than_dimensions_squares_back()
    {
        const int dims = 20, samples = 5;
        var random = new Random(3);
        var x = new double[samples, dims];
        for (int i = 0; i < samples; i++)
        for (int j = 0; j < dims; j++)
            x[i, j] = random.NextDouble() * 3 - 1;
        var cov = new double[dims, dims];
        var mean = new double[dims];
        for (int j = 0; j < dims; j++) for (int i = 0; i < samples; i++) mean[j] += x[i, j] / samples;
        for (int a = 0; a < dims; a++)
        for (int b = 0; b < dims; b++)
        for (int i = 0; i < samples; i++)
            cov[a, b] += (x[i, a] - mean[a]) * (x[i, b] - mean[b]) / (samples - 1);

        var root = MatrixSquareRoot.OfSymmetric(cov);

        AssertClose(cov, Multiply(root, root), 1e-7);
        AssertClose(Transpose(root), root, 1e-12);
    }

    [Fact]
    public void A_matrix_with_a_real_negative_eigenvalue_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MatrixSquareRoot.OfSymmetric(Diagonal(1, -0.5)));
    }
}
