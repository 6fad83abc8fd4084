using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Per-latent-pixel weights of the denoiser loss that favour what captions name. Objects fill a small part of each
/// image and their shapes differ in a few edge pixels, so under the plain loss scenery texture dominates the gradient
/// and the model learns colours and places long before shapes; weighting the pixels an object covers (and a one-pixel
/// rim, where its outline lies) makes the shape-from-caption signal stronger.
/// </summary>
public static class ObjectLossWeights
{
    /// <param name="masks">[N, 1, H, W] 1 where a pixel shows an object, the knife or a drop (<see cref="Rendering.SceneMask"/>), else 0.</param>
    /// <param name="latentSize">Side of the latents the weights apply to; H must be a multiple of it.</param>
    /// <param name="weight">Weight of a covered latent pixel; scenery weighs 1.</param>
    /// <returns>[N, 1, latentSize, latentSize] float32, in the caller's dispose scope.</returns>
    public static Tensor FromMasks(Tensor masks, long latentSize, double weight)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.dim() != 4 || masks.shape[1] != 1) throw new ArgumentException($"masks must be [N, 1, H, W], not [{string.Join(", ", masks.shape)}].", nameof(masks));
        if (latentSize < 1 || masks.shape[2] % latentSize != 0 || masks.shape[3] != masks.shape[2])
            throw new ArgumentException($"{masks.shape[2]}x{masks.shape[3]} masks do not reduce to {latentSize}x{latentSize} latents.", nameof(latentSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 0.0);
        using var scope = NewDisposeScope();
        long factor = masks.shape[2] / latentSize;
        // A latent pixel counts as covered when any image pixel under it is; then one latent pixel of rim.
        var covered = factor > 1 ? nn.functional.max_pool2d(masks, factor, factor) : masks;
        var withRim = nn.functional.max_pool2d(covered, 3, 1, 1);
        return (1 + (weight - 1) * withRim).MoveToOuterDisposeScope();
    }
}
