using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// The Frechet distance between two Gaussians, d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr(sqrt(S1 S2)): FID when the
/// Gaussians are fitted to InceptionV3 pool features, a CLIP-space Frechet distance when fitted to CLIP embeddings.
/// </summary>
/// <remarks>
/// S1 S2 is not symmetric, so instead of a general matrix root (scipy's sqrtm in pytorch-fid, which can return
/// complex noise) the trace uses tr(sqrt(S1 S2)) = tr(sqrt(sqrt(S1) S2 sqrt(S1))): the two products are similar
/// matrices, and the second is symmetric PSD, so two symmetric eigendecompositions in float64 suffice.
/// </remarks>
public static class FrechetDistance
{
    public static double Compute(GaussianStatistics a, GaussianStatistics b) => Compute(a.Mean, a.Covariance, b.Mean, b.Covariance);

    public static double Compute(double[] mean1, double[,] covariance1, double[] mean2, double[,] covariance2)
    {
        int d = mean1.Length;
        if (d == 0) throw new ArgumentException("the means are empty.", nameof(mean1));
        if (mean2.Length != d)
            throw new ArgumentException($"the means have {d} and {mean2.Length} dimensions.", nameof(mean2));
        foreach (var (cov, name) in new[] { (covariance1, nameof(covariance1)), (covariance2, nameof(covariance2)) })
            if (cov.GetLength(0) != d || cov.GetLength(1) != d)
                throw new ArgumentException($"the covariance is {cov.GetLength(0)}x{cov.GetLength(1)} but the means have {d} dimensions.", name);

        LibTorchRuntime.EnsureLoadable();
        using var scope = torch.NewDisposeScope();
        var mu1 = DenseMatrix.ToTensor(mean1);
        var mu2 = DenseMatrix.ToTensor(mean2);
        var s1 = MatrixSquareRoot.Symmetrise(DenseMatrix.ToTensor(covariance1, nameof(covariance1)));
        var s2 = MatrixSquareRoot.Symmetrise(DenseMatrix.ToTensor(covariance2, nameof(covariance2)));
        return Compute(mu1, s1, mu2, s2);
    }

    /// <summary>The distance for float64 tensors: means [d], covariances [d, d].</summary>
    public static double Compute(Tensor mean1, Tensor covariance1, Tensor mean2, Tensor covariance2)
    {
        using var scope = torch.NewDisposeScope();
        var diff = mean1.to(ScalarType.Float64) - mean2.to(ScalarType.Float64);
        var s1 = covariance1.to(ScalarType.Float64);
        var s2 = covariance2.to(ScalarType.Float64);
        var root1 = MatrixSquareRoot.OfSymmetric(s1);
        double crossTrace = MatrixSquareRoot.TraceOfRoot(root1.matmul(s2).matmul(root1));
        double value = diff.dot(diff).item<double>() + s1.trace().item<double>() + s2.trace().item<double>() - 2 * crossTrace;
        if (!double.IsFinite(value)) throw new ArgumentException("the statistics contain non-finite values.");
        // A squared distance: a value a rounding error below zero is zero.
        return Math.Max(0, value);
    }
}
