using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Optimization;

/// <summary>
/// torch.nn.utils.clip_grad_norm_ with the 2-norm: the norm of all gradients taken together, and, when it exceeds
/// the limit, every gradient scaled by <c>max / (norm + 1e-6)</c>.
/// </summary>
public static class GradientClipping
{
    /// <param name="maxNorm">The limit; 0 or less only measures.</param>
    /// <returns>The total norm before clipping.</returns>
    public static double ClipByTotalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0) return 0.0;
        var norms = grads.Select(g => g.to(ScalarType.Float32).norm()).ToList();
        var total = stack(norms).norm();
        if (maxNorm > 0)
        {
            // As torch: the coefficient is a float32 tensor, clamped at 1 and applied to every gradient.
            var coefficient = (maxNorm / (total + 1e-6)).clamp_max(1.0);
            foreach (var g in grads) g.mul_(coefficient.to(g.dtype));
        }
        return total.item<float>();
    }
}
