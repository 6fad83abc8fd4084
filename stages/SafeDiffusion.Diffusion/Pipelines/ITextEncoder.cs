using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>A text encoder over token ids (the CLIP text tower of a model folder).</summary>
public interface ITextEncoder : IDisposable
{
    /// <param name="inputIds">[B, tokens] int64 token ids, padded.</param>
    /// <returns>[B, tokens, hidden] conditioning for the UNet (the encoder's last hidden state).</returns>
    Tensor Encode(Tensor inputIds);
}
