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

    /// <summary>
    /// The factor KID's cubic kernel k(x, y) = (x·y/d + 1)³ applies to these features first: 1 for Inception's, whose
    /// scale the kernel was chosen for (x·y/d well under 1). Features of a much larger scale make the kernel's values
    /// huge and KID the small difference of huge numbers, with a standard error larger than any effect. The Frechet
    /// distance is reported in the features' own units and is not scaled.
    /// </summary>
    double KernelScale => 1.0;
}
