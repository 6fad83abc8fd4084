using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// Makes clean renders look like what a tiny diffusion model produces, so the classifier judges both alike:
/// mirror flips, brightness/contrast/per-channel colour jitter, Gaussian blur of random strength, low-frequency
/// colour blotches and pixel noise. Every draw comes from the given generator, so training is reproducible.
/// </summary>
public static class RenderAugmenter
{
    public const int BlurTaps = 5;

    /// <param name="pixels">[n, 3, h, w] in 0..1.</param>
    public static Tensor Augment(Tensor pixels, Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        long n = pixels.shape[0];
        Tensor Uniform(double low, double high, params long[] shape) => torch.rand(shape, generator: generator) * (high - low) + low;

        var flip = torch.rand([n, 1, 1, 1], generator: generator) < 0.5;
        var x = torch.where(flip, pixels.flip(3), pixels);

        var brightness = Uniform(0.85, 1.15, n, 1, 1, 1);
        var contrast = Uniform(0.8, 1.2, n, 1, 1, 1);
        var gain = Uniform(0.94, 1.06, n, 3, 1, 1);
        var mean = x.mean([1, 2, 3], keepdim: true);
        x = ((x - mean) * contrast + mean) * brightness * gain;

        // Six in ten images get blurred, with sigma up to 1.3 px (a tiny VAE's decoder blurs about that much).
        var sigma = Uniform(0.3, 1.3, n) * (torch.rand([n], generator: generator) < 0.6).to(ScalarType.Float32);
        x = Blur(x, sigma);

        long h = x.shape[2], w = x.shape[3];
        var blotches = nn.functional.interpolate(torch.randn([n, 3, 4, 4], generator: generator) * Uniform(0, 0.05, n, 1, 1, 1),
            [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
        var noise = torch.randn(x.shape, generator: generator) * Uniform(0, 0.06, n, 1, 1, 1);
        return (x + blotches + noise).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Per-image separable Gaussian blur; sigma 0 leaves an image as it is.</summary>
    public static Tensor Blur(Tensor pixels, Tensor sigma)
    {
        using var scope = torch.NewDisposeScope();
        long n = pixels.shape[0], c = pixels.shape[1], h = pixels.shape[2], w = pixels.shape[3];
        int half = BlurTaps / 2;
        var offsets = torch.arange(-half, half + 1, dtype: ScalarType.Float32).view(1, BlurTaps);
        var s = sigma.view(n, 1).clamp_min(1e-3);
        var kernel = torch.exp(-(offsets * offsets) / (2 * s * s));
        kernel = kernel / kernel.sum(1, keepdim: true);                      // [n, taps]; sigma ~0 gives a unit impulse
        var perChannel = kernel.repeat_interleave(c, dim: 0);                // [n*c, taps]
        var flat = pixels.reshape(1, n * c, h, w);
        var padded = nn.functional.pad(flat, [half, half, half, half], PaddingModes.Reflect);
        var rows = nn.functional.conv2d(padded, perChannel.view(n * c, 1, 1, BlurTaps), groups: n * c);
        var both = nn.functional.conv2d(rows, perChannel.view(n * c, 1, BlurTaps, 1), groups: n * c);
        return both.reshape(n, c, h, w).MoveToOuterDisposeScope();
    }

    /// <summary>A fixed degradation (blur sigma 1, noise 0.04) for measuring how the classifier copes with blurry images.</summary>
    public static Tensor Degrade(Tensor pixels, Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        var blurred = Blur(pixels, torch.full([pixels.shape[0]], 1.0f));
        return (blurred + torch.randn(pixels.shape, generator: generator) * 0.04).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
