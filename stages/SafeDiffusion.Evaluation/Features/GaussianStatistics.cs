using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// Mean and covariance (n - 1 denominator, as numpy's cov) of a set of feature vectors: one side of a Frechet
/// distance. Reference statistics (e.g. of a COCO image set) are computed once and cached as safetensors with
/// tensors <c>mu</c> [d] and <c>sigma</c> [d, d] in F64, plus metadata <c>count</c> and <c>features</c>.
/// </summary>
public sealed record GaussianStatistics(double[] Mean, double[,] Covariance, long Count, string Features)
{
    public int Dimension => Mean.Length;

    public void Save(string path)
    {
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor>
        {
            ["mu"] = DenseMatrix.ToTensor(Mean),
            ["sigma"] = DenseMatrix.ToTensor(Covariance, nameof(Covariance)),
        }, new Dictionary<string, string>
        {
            ["count"] = Count.ToString(CultureInfo.InvariantCulture),
            ["features"] = Features,
        });
    }

    public static GaussianStatistics Load(string path)
    {
        using var file = SafetensorsFile.Open(path);
        foreach (var name in new[] { "mu", "sigma" })
            if (!file.Contains(name))
                throw new InputDataException(path, "is missing.", $"tensor '{name}'", "Feature statistics files hold 'mu' [d] and 'sigma' [d, d].");
        using var scope = torch.NewDisposeScope();
        var mu = file.Load("mu", ScalarType.Float64);
        var sigma = file.Load("sigma", ScalarType.Float64);
        if (mu.dim() != 1 || sigma.dim() != 2 || sigma.shape[0] != mu.shape[0] || sigma.shape[1] != mu.shape[0])
            throw new InputDataException(path, $"mu has shape [{string.Join(", ", mu.shape)}] and sigma [{string.Join(", ", sigma.shape)}]; expected [d] and [d, d].", "tensor 'sigma'");
        long count = file.Metadata.TryGetValue("count", out var c) && long.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var features = file.Metadata.TryGetValue("features", out var f) ? f : "";
        return new GaussianStatistics(DenseMatrix.VectorFromTensor(mu), DenseMatrix.FromTensor(sigma), count, features);
    }
}
