using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Tokenization;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>
/// Prompts to UNet conditioning the way StableDiffusionPipeline does it: CLIP tokenizer (truncated and padded to 77)
/// then the text encoder's last hidden state. Owns the text encoder.
/// </summary>
public sealed class ClipTextConditioner : ITextConditioner, IDisposable
{
    private readonly ClipTokenizer _tokenizer;
    private readonly ITextEncoder _encoder;

    public ClipTextConditioner(ClipTokenizer tokenizer, ITextEncoder encoder)
    {
        _tokenizer = tokenizer;
        _encoder = encoder;
    }

    public static ClipTextConditioner FromModelFolder(string modelDirectory, ScalarType dtype, Device device, string? variant = null) =>
        new(ClipTokenizer.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.Tokenizer)),
            ClipTextEncoder.FromModelFolder(modelDirectory, dtype, device, variant));

    public Tensor Encode(IReadOnlyList<string> prompts)
    {
        using var ids = _tokenizer.EncodeBatch(prompts);
        return _encoder.Encode(ids);
    }

    public void Dispose() => _encoder.Dispose();
}
