using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>RGB8 images to the classifier's input: float [n, 3, size, size] in 0..1, resized when needed.</summary>
public static class ImageTensors
{
    public static Tensor ToBatch(IReadOnlyList<Rgb8Image> images, int size)
    {
        if (images.Count == 0) throw new ArgumentException("no images.", nameof(images));
        LibTorchRuntime.EnsureLoadable();
        using var scope = torch.NewDisposeScope();
        var parts = new List<Tensor>(images.Count);
        foreach (var group in images.Select((image, i) => (image, i)).GroupBy(p => (p.image.Width, p.image.Height)))
        {
            var (w, h) = group.Key;
            var items = group.ToList();
            var bytes = new byte[items.Count * w * h * 3];
            for (int k = 0; k < items.Count; k++) items[k].image.Pixels.CopyTo(bytes, k * w * h * 3);
            var batch = torch.tensor(bytes, [items.Count, h, w, 3], ScalarType.Byte).permute(0, 3, 1, 2).to(ScalarType.Float32).div(255.0);
            if (w != size || h != size)
            {
                // Generated images may come at another size: averaging areas when shrinking keeps thin strokes' colour.
                batch = w > size && h > size
                    ? nn.functional.interpolate(batch, [size, size], mode: InterpolationMode.Area)
                    : nn.functional.interpolate(batch, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
            }
            parts.Add(batch);
        }
        // Groups were formed by size; put the rows back in the caller's order.
        var order = images.Select((image, i) => (image, i)).GroupBy(p => (p.image.Width, p.image.Height)).SelectMany(g => g.Select(p => (long)p.i)).ToArray();
        var stacked = torch.cat(parts, 0);
        var inverse = new long[order.Length];
        for (int k = 0; k < order.Length; k++) inverse[order[k]] = k;
        return stacked.index_select(0, torch.tensor(inverse)).MoveToOuterDisposeScope();
    }
}
