using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>The text tower's outputs; dispose to free both tensors.</summary>
/// <param name="LastHiddenState">[batch, tokens, hidden], after final_layer_norm: what the UNet cross-attends to.</param>
/// <param name="PooledOutput">[batch, hidden]: the final state at each prompt's end token.</param>
public sealed record CLIPTextOutput(Tensor LastHiddenState, Tensor PooledOutput) : IDisposable
{
    public void Dispose()
    {
        LastHiddenState.Dispose();
        PooledOutput.Dispose();
    }
}
