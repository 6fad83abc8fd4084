using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The VAE's <c>scaling_factor</c>: the reciprocal of the standard deviation of the latents the denoiser will see,
/// so that scaled latents have unit variance like the unit-Gaussian noise of the diffusion process. This is how
/// Stable Diffusion's 0.18215 was chosen (one over the std of the latents of a batch of training images).
/// </summary>
public static class LatentScaling
{
    /// <param name="latents">Unscaled latents of training images, any shape.</param>
    public static double Factor(Tensor latents)
    {
        using var scope = NewDisposeScope();
        double std = latents.to(ScalarType.Float64).std().item<double>();
        if (!double.IsFinite(std) || std <= 0)
            throw new InvalidOperationException($"the latents have standard deviation {std}; the VAE did not learn a usable latent space.");
        return 1.0 / std;
    }
}
