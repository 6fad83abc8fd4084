using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Newly constructed modules with PyTorch's initial weights, from a seed. The project's modules are built to be
/// filled from checkpoints; TorchSharp 0.107's <c>nn.GroupNorm</c> allocates its affine weight and bias with
/// <c>torch.empty</c> and never initialises them (PyTorch sets ones and zeros), so a model trained from scratch
/// would start from whatever memory held, often NaN. Every GroupNorm and LayerNorm is reset here.
/// The initial weights come from libtorch's process-wide generator (module constructors take no generator), so the
/// same seed gives the same weights only while nothing else draws from it: the tiny world builds its models one at a
/// time, and tests that rely on this run in a collection of their own.
/// </summary>
public static class FreshModules
{
    public static T Create<T>(long seed, Func<T> construct) where T : nn.Module
    {
        torch.manual_seed(seed);
        var module = construct();
        ResetNorms(module);
        return module;
    }

    /// <summary>Sets every normalisation layer's scale to one and shift to zero.</summary>
    public static void ResetNorms(nn.Module module)
    {
        using var noGrad = torch.no_grad();
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
