using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>The vision tower's outputs; dispose to free both tensors.</summary>
/// <param name="LastHiddenState">[batch, 1 + patches, hidden], before post_layernorm.</param>
/// <param name="PooledOutput">[batch, hidden]: post_layernorm of the class token.</param>
public sealed record CLIPVisionOutput(Tensor LastHiddenState, Tensor PooledOutput) : IDisposable
{
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
    }
}
