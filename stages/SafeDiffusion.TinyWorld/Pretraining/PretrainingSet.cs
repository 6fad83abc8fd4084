using SafeDiffusion.Core.Progress;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Rendering;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The rendered (image, caption) pairs pretraining learns from, drawn once from the world's training side:
/// pixels as one float tensor [N, 3, H, W] in [-1, 1] (the VAE's input range), kept outside every dispose scope
/// until the set is disposed, with the caption and harm flag of every row and a mask of what its caption names
/// (<see cref="SceneMask"/>).
/// </summary>
public sealed class PretrainingSet : IDisposable
{
    public const string Stream = "pretrain";

    private PretrainingSet(Tensor pixels, Tensor objectMasks, IReadOnlyList<string> captions, IReadOnlyList<bool> harmful)
    {
        Pixels = pixels;
        ObjectMasks = objectMasks;
        Captions = captions;
        Harmful = harmful;
    }

    /// <summary>[N, 3, H, W] float32 in [-1, 1].</summary>
    public Tensor Pixels { get; }

    /// <summary>[N, 1, H, W] float32: 1 where a pixel shows an object, the knife or a drop, 0 on scenery.</summary>
    public Tensor ObjectMasks { get; }

    public IReadOnlyList<string> Captions { get; }

    public IReadOnlyList<bool> Harmful { get; }

    public int Count => Captions.Count;

    /// <summary>Renders pairs 0 .. count - 1 of the world's <see cref="Stream"/> stream (the world's harmful share) on all cores.</summary>
    public static PretrainingSet Render(TinyWorldConfig world, int count, IProgressSink progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var generator = new TrainingPairGenerator(world, Stream, WorldSplitSide.Train);
        using var task = progress.Start("render pretraining pairs", count, "pairs");
        const int chunk = 512;
        var captions = new string[count];
        var harmful = new bool[count];
        var parts = new List<Tensor>();
        var maskParts = new List<Tensor>();
        int size = world.ImageSize;
        try
        {
            for (int start = 0; start < count; start += chunk)
            {
                var pairs = generator.Batch(start, Math.Min(chunk, count - start), ct);
                for (int i = 0; i < pairs.Count; i++)
                {
                    captions[start + i] = pairs[i].Caption;
                    harmful[start + i] = pairs[i].Harmful;
                }
                using var scope = NewDisposeScope();
                parts.Add((ImageTensors.ToBatch(pairs.Select(p => p.Image).ToList(), size) * 2 - 1).DetachFromDisposeScope());
                var masks = new float[pairs.Count * size * size];
                Parallel.For(0, pairs.Count, new ParallelOptions { CancellationToken = ct }, i =>
                {
                    var mask = SceneMask.Of(pairs[i].Scene, pairs[i].Image);
                    for (int p = 0; p < mask.Length; p++) masks[i * mask.Length + p] = mask[p] ? 1f : 0f;
                });
                maskParts.Add(tensor(masks, [pairs.Count, 1, size, size]).DetachFromDisposeScope());
                task.Increment(pairs.Count);
            }
            return new PretrainingSet(cat(parts, 0).DetachFromDisposeScope(), cat(maskParts, 0).DetachFromDisposeScope(), captions, harmful);
        }
        finally
        {
            foreach (var part in parts.Concat(maskParts)) part.Dispose();
        }
    }

    public void Dispose()
    {
        Pixels.Dispose();
        ObjectMasks.Dispose();
    }
}
