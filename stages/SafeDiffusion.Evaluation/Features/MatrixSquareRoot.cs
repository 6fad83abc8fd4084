using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// The principal square root of a symmetric positive semi-definite matrix through its symmetric eigendecomposition
/// in float64: A = V diag(l) V^T gives sqrt(A) = V diag(sqrt(l)) V^T. Covariances estimated from fewer samples
/// than dimensions are singular, and rounding then leaves eigenvalues a hair below zero; those are clamped to zero
/// (a real negative eigenvalue, beyond rounding, is refused).
/// </summary>
public static class MatrixSquareRoot
{
    /// <summary>Relative size (to the largest |eigenvalue|) below which a negative eigenvalue counts as rounding.</summary>
    public const double NegativeTolerance = 1e-9;

    public static double[,] OfSymmetric(double[,] matrix)
    {
        LibTorchRuntime.EnsureLoadable();
        using var scope = torch.NewDisposeScope();
        var root = OfSymmetric(DenseMatrix.ToTensor(matrix, nameof(matrix)));
        return DenseMatrix.FromTensor(root);
    }

    /// <summary>The square root of a float64 [d, d] tensor (symmetrised first: (A + A^T) / 2).</summary>
    public static Tensor OfSymmetric(Tensor matrix)
    {
        using var scope = torch.NewDisposeScope();
        var (values, vectors) = torch.linalg.eigh(Symmetrise(matrix));
        var roots = ClampedRoots(values);
        return (vectors * roots.unsqueeze(0)).matmul(vectors.t()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Sum of the square roots of the eigenvalues of a symmetric PSD matrix, i.e. trace(sqrt(A)), without forming
    /// the root.
    /// </summary>
    public static double TraceOfRoot(Tensor matrix)
    {
        using var scope = torch.NewDisposeScope();
        return ClampedRoots(torch.linalg.eigvalsh(Symmetrise(matrix))).sum().item<double>();
    }

    internal static Tensor Symmetrise(Tensor matrix)
    {
        if (matrix.dim() != 2 || matrix.shape[0] != matrix.shape[1])
            throw new ArgumentException($"expected a square matrix, got shape [{string.Join(", ", matrix.shape)}].", nameof(matrix));
        var m = matrix.to(ScalarType.Float64);
        return (m + m.t()) * 0.5;
    }

    private static Tensor ClampedRoots(Tensor eigenvalues)
    {
        var values = eigenvalues.cpu();
        double largest = values.abs().max().item<double>();
        double smallest = values.min().item<double>();
        if (!double.IsFinite(largest))
            throw new ArgumentException("the matrix has non-finite entries.");
        if (smallest < -NegativeTolerance * Math.Max(largest, double.Epsilon))
            throw new ArgumentException($"the matrix is not positive semi-definite (eigenvalue {smallest:G6} against a largest of {largest:G6}).");
        return eigenvalues.clamp_min(0).sqrt();
    }
}
