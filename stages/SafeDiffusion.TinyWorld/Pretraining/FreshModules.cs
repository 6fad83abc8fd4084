using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Newly constructed modules with PyTorch's initial weights, from a seed: the project's modules are built to be
/// filled from checkpoints, and TorchSharp leaves their GroupNorms uninitialised (<see cref="UninitialisedNorms"/>).
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
        UninitialisedNorms.Reset(module);
        return module;
    }
}
