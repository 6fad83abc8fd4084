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
    private readonly Action<string>? _onTruncated;
    private int _truncationReported;

    /// <param name="onTruncated">Told once, with the first such prompt, that prompts longer than the tokenizer's
    /// limit are being cut (the rest are cut silently, as diffusers does, but the user has been warned).</param>
    public ClipTextConditioner(ClipTokenizer tokenizer, ITextEncoder encoder, Action<string>? onTruncated = null)
    {
        _tokenizer = tokenizer;
        _encoder = encoder;
        _onTruncated = onTruncated;
    }

    public static ClipTextConditioner FromModelFolder(string modelDirectory, ScalarType dtype, Device device, string? variant = null,
        Action<string>? onTruncated = null) =>
        new(ClipTokenizer.FromFolder(Path.Combine(modelDirectory, StableDiffusionComponents.Tokenizer)),
            ClipTextEncoder.FromModelFolder(modelDirectory, dtype, device, variant), onTruncated);

    public Tensor Encode(IReadOnlyList<string> prompts)
    {
        if (_onTruncated is not null && Volatile.Read(ref _truncationReported) == 0)
        {
            var cut = prompts.FirstOrDefault(p => _tokenizer.Encode(p).Truncated);
            if (cut is not null && Interlocked.Exchange(ref _truncationReported, 1) == 0)
                _onTruncated($"a prompt is longer than the text encoder's {_tokenizer.MaxLength} tokens and is truncated " +
                             $"(further ones silently): \"{(cut.Length > 80 ? cut[..80] + "..." : cut)}\"");
        }
        using var ids = _tokenizer.EncodeBatch(prompts);
        return _encoder.Encode(ids);
    }

    public void Dispose() => _encoder.Dispose();
}
