using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// transformers' <c>CLIPVisionEmbeddings</c>: a class token, non-overlapping patches by a bias-free convolution,
/// plus learned position embeddings.
/// </summary>
public sealed class CLIPVisionEmbeddings : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "class_embedding")]
    private readonly Parameter _classEmbedding;
    [ComponentName(Name = "patch_embedding")]
    private readonly Conv2d _patchEmbedding;
    [ComponentName(Name = "position_embedding")]
    private readonly Embedding _positionEmbedding;
    private readonly CLIPVisionConfig _config;

    public CLIPVisionEmbeddings(CLIPVisionConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPVisionEmbeddings))
    {
        _config = config;
        _classEmbedding = new Parameter(torch.randn(new long[] { config.HiddenSize }, dtype: dtype, device: device));
        _patchEmbedding = nn.Conv2d(config.NumChannels, config.HiddenSize, config.PatchSize, stride: config.PatchSize, bias: false, device: device, dtype: dtype);
        _positionEmbedding = nn.Embedding(config.NumPositions, config.HiddenSize, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <param name="pixelValues">[batch, channels, image_size, image_size], already normalised.</param>
    public override Tensor forward(Tensor pixelValues)
    {
        long height = pixelValues.shape[^2], width = pixelValues.shape[^1];
        if (height != _config.ImageSize || width != _config.ImageSize)
            throw new ArgumentException($"images are {height}x{width} but the vision tower takes {_config.ImageSize}x{_config.ImageSize}.", nameof(pixelValues));
        using var scope = torch.NewDisposeScope();
        long batch = pixelValues.shape[0];
        var patches = _patchEmbedding.forward(pixelValues.to(_patchEmbedding.weight!.dtype)).flatten(2).transpose(1, 2);
        var cls = _classEmbedding.expand(batch, 1, -1);
        var embeddings = torch.cat([cls, patches], 1);
        var positions = torch.arange(_config.NumPositions, ScalarType.Int64, pixelValues.device).unsqueeze(0);
        return (embeddings + _positionEmbedding.forward(positions)).MoveToOuterDisposeScope();
    }
}
