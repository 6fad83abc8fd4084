using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Features.Inception;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// FID features: pytorch-fid's InceptionV3 pool3 output for RGB8 images. Each image becomes [3, H, W] in [0, 1] (as
/// torchvision's ToTensor), is resized to 299x299 bilinearly on its own (so a batch may mix sizes; resizing a
/// 299x299 image again in the network is the identity), and batches run under no_grad.
/// </summary>
public sealed class InceptionFeatureExtractor : IImageFeatureExtractor
{
    public const string FeatureName = "inception-v3-fid-pool3";

    private readonly FidInceptionV3 _model;
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private readonly bool _ownsModel;

    public InceptionFeatureExtractor(FidInceptionV3 model, Device device, ScalarType dtype = ScalarType.Float32, int batchSize = 32, bool ownsModel = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _model = model;
        _device = device;
        _dtype = dtype;
        _ownsModel = ownsModel;
        BatchSize = batchSize;
    }

    /// <summary>Loads the FID weights (.pth or .safetensors) onto <paramref name="device"/>.</summary>
    public static InceptionFeatureExtractor FromWeights(string path, Device device, int batchSize = 32) =>
        new(FidInceptionWeights.Load(path, device), device, ScalarType.Float32, batchSize);

    public string Name => FeatureName;

    public int Dimension => FidInceptionV3.FeatureDimension;

    public int BatchSize { get; }

    public Tensor Extract(IReadOnlyList<Rgb8Image> images) => FeatureBatches.Extract(images, BatchSize, Dimension,
        batch => _model.forward(torch.cat(batch.Select(ToInput).ToList(), 0)));

    private Tensor ToInput(Rgb8Image image)
    {
        var hwc = torch.tensor(image.Pixels, [image.Height, image.Width, 3], ScalarType.Byte, _device);
        var nchw = hwc.permute(2, 0, 1).unsqueeze(0).to(_dtype) / 255.0;
        return image.Width == FidInceptionV3.InputSize && image.Height == FidInceptionV3.InputSize
            ? nchw
            : nn.functional.interpolate(nchw, [FidInceptionV3.InputSize, FidInceptionV3.InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
