using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Native;

/// <summary>
/// TorchSharp 0.107's <c>nn.GroupNorm</c> allocates its affine weight and bias with <c>torch.empty</c> and never
/// initialises them (PyTorch sets ones and zeros), so a module used before weights are loaded into it computes with
/// whatever memory held, often NaN. Models loaded from checkpoints never notice; a model trained from scratch, or one
/// built for a test, resets its norms here first.
/// </summary>
public static class UninitialisedNorms
{
    /// <summary>Sets every GroupNorm's and LayerNorm's scale to one and shift to zero, PyTorch's initial values.</summary>
    public static void Reset(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var child in module.modules())
        {
            switch (child)
            {
                case GroupNorm g when g.affine:
                    g.weight.fill_(1.0);
                    g.bias?.zero_();
                    break;
                case LayerNorm l:
                    l.weight?.fill_(1.0);
                    l.bias?.zero_();
                    break;
            }
        }
    }
}
