using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>Turns prompts into the UNet's cross-attention conditioning (tokenizer + CLIP text encoder).</summary>
public interface ITextConditioner
{
    /// <returns>[prompts.Count, tokens, hidden] embeddings (any device and floating type; the sampler converts).</returns>
    Tensor Encode(IReadOnlyList<string> prompts);
}
