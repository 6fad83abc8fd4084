using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>One sampled batch: final latents, the decoded images in [0, 1], and the same images as RGB8.</summary>
public sealed class Txt2ImgBatch : IDisposable
{
    public Txt2ImgBatch(Tensor latents, Tensor pixels, IReadOnlyList<GeneratedImage> images)
    {
        Latents = latents;
        Pixels = pixels;
        Images = images;
    }

    /// <summary>[B, 4, h, w] float32 on the CPU, before the VAE scaling is undone.</summary>
    public Tensor Latents { get; }

    /// <summary>[B, 3, H, W] float32 on the CPU: <c>(decoded / 2 + 0.5).clamp(0, 1)</c>.</summary>
    public Tensor Pixels { get; }

    public IReadOnlyList<GeneratedImage> Images { get; }

    /// <summary>The batches' rows in order, in new tensors (the parts stay the caller's to dispose).</summary>
    public static Txt2ImgBatch Concat(IReadOnlyList<Txt2ImgBatch> parts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        return new Txt2ImgBatch(cat(parts.Select(p => p.Latents).ToList()), cat(parts.Select(p => p.Pixels).ToList()),
            parts.SelectMany(p => p.Images).ToList());
    }

    public void Dispose()
    {
        Latents.Dispose();
        Pixels.Dispose();
    }
}
