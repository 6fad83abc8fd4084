using SafeDiffusion.Core.Randomness;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Data;

/// <summary>
/// torchvision's <c>Resize(r, BILINEAR)</c>, <c>CenterCrop(r)</c> or <c>RandomCrop(r)</c>, <c>RandomHorizontalFlip()</c>,
/// <c>ToTensor()</c> and <c>Normalize(0.5, 0.5)</c> on a PIL image, as the paper's training script applies them: the
/// shorter side is resized to r with Pillow's antialiased bilinear filter (the longer side truncated as Python's
/// int()), a square is cut out, maybe mirrored, and the bytes are mapped to [-1, 1] in CHW order.
/// </summary>
public static class TrainingImageTransform
{
    /// <summary>Writes the [3, r, r] result into <paramref name="destination"/>; crop and flip draws come from <paramref name="random"/>.</summary>
    public static void Apply(Rgb8Image image, ImagePreprocessing settings, SplitMix64 random, Span<float> destination)
    {
        int r = settings.Resolution;
        if (destination.Length != 3 * r * r)
            throw new ArgumentException($"needs room for 3 x {r} x {r} values, got {destination.Length}.", nameof(destination));
        var (width, height, pixels) = Resize(image, r);

        int top, left;
        if (settings.CenterCrop)
        {
            top = (int)Math.Round((height - r) / 2.0, MidpointRounding.ToEven);
            left = (int)Math.Round((width - r) / 2.0, MidpointRounding.ToEven);
        }
        else
        {
            top = random.Next(height - r + 1);
            left = random.Next(width - r + 1);
        }
        bool flip = settings.RandomFlip && random.NextDouble() < 0.5;

        int plane = r * r;
        for (int y = 0; y < r; y++)
        for (int x = 0; x < r; x++)
        {
            int sourceX = left + (flip ? r - 1 - x : x);
            int source = ((top + y) * width + sourceX) * 3;
            for (int c = 0; c < 3; c++)
                destination[c * plane + y * r + x] = (pixels[source + c] / 255f - 0.5f) / 0.5f;
        }
    }

    /// <summary>The size torchvision's <c>Resize(r)</c> gives an image of the given size, as (width, height).</summary>
    public static (int Width, int Height) ResizedSize(int width, int height, int resolution)
    {
        if (width <= height) return (resolution, (int)((long)resolution * height / width));
        return ((int)((long)resolution * width / height), resolution);
    }

    private static (int Width, int Height, byte[] Pixels) Resize(Rgb8Image image, int resolution)
    {
        var (width, height) = ResizedSize(image.Width, image.Height, resolution);
        if (width == image.Width && height == image.Height) return (width, height, image.Pixels);
        using var scope = NewDisposeScope();
        var source = tensor(image.Pixels, [image.Height, image.Width, 3], ScalarType.Byte);
        var resized = PillowResampler.Resize(source, width, height, PillowFilter.Bilinear);
        return (width, height, resized.data<byte>().ToArray());
    }
}
