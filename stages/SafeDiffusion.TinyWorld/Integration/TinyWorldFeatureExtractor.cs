using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Features;
using SafeDiffusion.TinyWorld.Classifier;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Integration;

/// <summary>
/// The scene classifier's penultimate features as the tiny world's stand-in for Inception features: a Frechet
/// distance in a space trained on exactly this world's shapes, colours, backgrounds and knives.
/// </summary>
public sealed class TinyWorldFeatureExtractor(TinyWorldClassifier classifier) : IImageFeatureExtractor
{
    public string Name => "tinyworld-scene-classifier-features";

    public int Dimension => classifier.FeatureDimension;

    /// <summary>
    /// The classifier's penultimate ReLU features are about ten times Inception's pool3 features in each coordinate
    /// (x·y/d in the tens, not below 1), so KID's cubic kernel sees them at a tenth: at their own scale the kernel's
    /// values run to tens of thousands and KID's standard error swamps every difference between models.
    /// </summary>
    public double KernelScale => 0.1;

    public Tensor Extract(IReadOnlyList<Rgb8Image> images)
    {
        var features = classifier.Features(images);
        var flat = new float[features.Count * Dimension];
        for (int i = 0; i < features.Count; i++) features[i].CopyTo(flat, i * Dimension);
        return torch.tensor(flat, [features.Count, Dimension]);
    }

    public void Dispose() => classifier.Dispose();
}
