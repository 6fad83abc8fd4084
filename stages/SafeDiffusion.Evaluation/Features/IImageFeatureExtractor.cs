using SafeDiffusion.Diffusion.Vision;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// Turns images into feature vectors for a Frechet distance: InceptionV3 pool3 features (FID) or CLIP image
/// embeddings (the CLIP-space Frechet distance). Implementations batch internally, run under no_grad inside dispose
/// scopes, and return float32 [n, <see cref="Dimension"/>] on the CPU, owned by the caller.
/// </summary>
public interface IImageFeatureExtractor : IDisposable
{
    /// <summary>Recorded with the statistics, so reference statistics of other features are not compared by mistake.</summary>
    string Name { get; }

    int Dimension { get; }

    Tensor Extract(IReadOnlyList<Rgb8Image> images);
}
