using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// The batching every network-backed <see cref="IImageFeatureExtractor"/> shares: a batch at a time under no_grad, each
/// batch's temporaries freed before the next, the features gathered as one float32 [n, dimension] tensor on the CPU.
/// </summary>
internal static class FeatureBatches
{
    /// <param name="featuresOf">Features of one batch of at most <paramref name="batchSize"/> images, [b, dimension] on any device.</param>
    public static Tensor Extract(IReadOnlyList<Rgb8Image> images, int batchSize, int dimension, Func<IReadOnlyList<Rgb8Image>, Tensor> featuresOf)
    {
        using var outer = torch.NewDisposeScope();
        var parts = new List<Tensor>();
        for (int start = 0; start < images.Count; start += batchSize)
        {
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            var features = featuresOf(images.Skip(start).Take(batchSize).ToList());
            parts.Add(features.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
        }
        var result = parts.Count == 0 ? torch.empty([0, dimension]) : torch.cat(parts, 0);
        return result.MoveToOuterDisposeScope();
    }
}
