using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.TextEncoders;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>A model folder's CLIP text tower (<c>text_encoder/</c>) as an <see cref="ITextEncoder"/>. Owns the model.</summary>
public sealed class ClipTextEncoder : ITextEncoder
{
    private readonly CLIPTextModel _model;
    private readonly Device _device;

    public ClipTextEncoder(CLIPTextModel model, Device device)
    {
        _model = model;
        _device = device;
    }

    public static ClipTextEncoder FromModelFolder(string modelDirectory, ScalarType dtype, Device device, string? variant = null) =>
        new(CLIPTextModel.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.TextEncoder), dtype, device, variant), device);

    public Tensor Encode(Tensor inputIds)
    {
        using var ids = inputIds.to(ScalarType.Int64, _device);
        return _model.Encode(ids);
    }

    public void Dispose() => _model.Dispose();
}
