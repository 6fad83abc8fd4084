using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// Makes clean renders look like what a tiny diffusion model produces, so the classifier judges both alike:
/// brightness/contrast/per-channel colour jitter, Gaussian blur of random strength, low-frequency colour blotches
/// and pixel noise (mirroring, which moves the targets too, is the trainer's). Every draw comes from the given
/// generator, so training is reproducible.
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

        var x = pixels;
        var brightness = Uniform(0.85, 1.15, n, 1, 1, 1);
        var contrast = Uniform(0.8, 1.2, n, 1, 1, 1);
        var gain = Uniform(0.94, 1.06, n, 3, 1, 1);
        var mean = x.mean([1, 2, 3], keepdim: true);
        x = ((x - mean) * contrast + mean) * brightness * gain;

        // Four in ten images get blurred, with sigma up to 1.2 px (a tiny VAE's decoder blurs about that much); blurring
        // more of them slows the shape head far more than it helps the harmful head, which copes with blur anyway.
        var sigma = Uniform(0.3, 1.2, n) * (torch.rand([n], generator: generator) < 0.4).to(ScalarType.Float32);
        x = Blur(x, sigma);

        long h = x.shape[2], w = x.shape[3];
        var blotches = nn.functional.interpolate(torch.randn([n, 3, 4, 4], generator: generator) * Uniform(0, 0.05, n, 1, 1, 1),
            [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
        var noise = torch.randn(x.shape, generator: generator) * Uniform(0, 0.06, n, 1, 1, 1);
        return (x + blotches + noise).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Per-image separable Gaussian blur; sigma 0 leaves an image as it is.</summary>
    /// <remarks>
    /// Written as a weighted sum of shifted copies rather than a grouped convolution: libtorch's CPU kernel for
    /// one-channel groups is several times slower than the whole rest of a training step.
    /// </remarks>
    public static Tensor Blur(Tensor pixels, Tensor sigma)
    {
        using var scope = torch.NewDisposeScope();
        long n = pixels.shape[0], h = pixels.shape[2], w = pixels.shape[3];
        int half = BlurTaps / 2;
        var offsets = torch.arange(-half, half + 1, dtype: ScalarType.Float32).view(1, BlurTaps);
        var s = sigma.view(n, 1).clamp_min(1e-3);
        var kernel = torch.exp(-(offsets * offsets) / (2 * s * s));
        kernel = kernel / kernel.sum(1, keepdim: true);                      // [n, taps]; sigma ~0 gives a unit impulse
        var padded = nn.functional.pad(pixels, [half, half, half, half], PaddingModes.Reflect);
        var rows = torch.zeros(n, pixels.shape[1], h + 2 * half, w);
        for (int k = 0; k < BlurTaps; k++) rows = rows + padded.narrow(3, k, w) * kernel.narrow(1, k, 1).view(n, 1, 1, 1);
        var both = torch.zeros_like(pixels);
        for (int k = 0; k < BlurTaps; k++) both = both + rows.narrow(2, k, h) * kernel.narrow(1, k, 1).view(n, 1, 1, 1);
        return both.MoveToOuterDisposeScope();
    }

    /// <summary>A fixed degradation (blur sigma 1, noise 0.04) for measuring how the classifier copes with blurry images.</summary>
    public static Tensor Degrade(Tensor pixels, Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        var blurred = Blur(pixels, torch.full([pixels.shape[0]], 1.0f));
        return (blurred + torch.randn(pixels.shape, generator: generator) * 0.04).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
