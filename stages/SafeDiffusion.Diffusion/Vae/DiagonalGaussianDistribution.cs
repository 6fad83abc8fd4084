using SafeDiffusion.Diffusion.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary>
/// The VAE posterior q(z | x): a Gaussian per latent element, from the encoder's moments split into mean and
/// log-variance (clamped to [-30, 20] as in diffusers). Owns its tensors: they are kept out of any dispose scope,
/// so dispose the distribution when done.
/// </summary>
public sealed class DiagonalGaussianDistribution : IDisposable
{
    public DiagonalGaussianDistribution(Tensor moments)
    {
        using var scope = NewDisposeScope();
        var parts = moments.chunk(2, dim: 1);
        Mean = parts[0].contiguous().DetachFromDisposeScope();
        LogVar = parts[1].clamp(-30.0, 20.0).DetachFromDisposeScope();
        Std = (LogVar * 0.5).exp().DetachFromDisposeScope();
        Var = LogVar.exp().DetachFromDisposeScope();
    }

    public Tensor Mean { get; }
    public Tensor LogVar { get; }
    public Tensor Std { get; }
    public Tensor Var { get; }

    /// <summary><c>mean + std * e</c>, e drawn as diffusers draws it (same generator, same shape, same order).</summary>
    public Tensor Sample(NoiseGenerator? generator = null)
    {
        using var scope = NewDisposeScope();
        var noise = NoiseGenerator.Randn(generator, Mean.shape, Mean.dtype, Mean.device);
        return (Mean + Std * noise).MoveToOuterDisposeScope();
    }

    /// <summary>The most likely latent: the mean.</summary>
    public Tensor Mode() => Mean.alias();

    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
        Std.Dispose();
        Var.Dispose();
    }
}
