using SafeDiffusion.Diffusion.Clip;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// CLIP image embeddings for a second quality figure, a Frechet distance in CLIP space: the projected image features
/// (transformers' get_image_features) after the model's own preprocessing, L2-normalised so they live where CLIP score
/// measures its cosines.
/// </summary>
public sealed class ClipImageFeatureExtractor : IImageFeatureExtractor
{
    private readonly CLIPModel _model;
    private readonly CLIPImageProcessor _processor;
    private readonly Device _device;
    private readonly bool _ownsModel;

    public ClipImageFeatureExtractor(CLIPModel model, CLIPImageProcessor processor, Device device, int batchSize = 32, bool ownsModel = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _model = model;
        _processor = processor;
        _device = device;
        _ownsModel = ownsModel;
        BatchSize = batchSize;
    }

    /// <summary>Shares the CLIP score's model: the scorer stays the owner.</summary>
    public static ClipImageFeatureExtractor For(ClipScorer scorer, Device device, int batchSize = 32) =>
        new(scorer.Model, scorer.Processor, device, batchSize, ownsModel: false);

    public string Name => $"clip-image-l2-{Dimension}";

    public int Dimension => _model.Config.ProjectionDim;

    public int BatchSize { get; }

    public Tensor Extract(IReadOnlyList<Rgb8Image> images) => FeatureBatches.Extract(images, BatchSize, Dimension,
        batch => nn.functional.normalize(_model.GetImageFeatures(_processor.Preprocess(batch, _device)).to(ScalarType.Float32), dim: -1));

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
