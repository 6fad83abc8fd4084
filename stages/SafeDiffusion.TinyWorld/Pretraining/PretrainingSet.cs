using SafeDiffusion.Core.Progress;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The rendered (image, caption) pairs pretraining learns from, drawn once from the world's training side:
/// pixels as one float tensor [N, 3, H, W] in [-1, 1] (the VAE's input range), kept outside every dispose scope
/// until the set is disposed, with the caption and harm flag of every row.
/// </summary>
public sealed class PretrainingSet : IDisposable
{
    public const string Stream = "pretrain";

    private PretrainingSet(Tensor pixels, IReadOnlyList<string> captions, IReadOnlyList<bool> harmful)
    {
        Pixels = pixels;
        Captions = captions;
        Harmful = harmful;
    }

    /// <summary>[N, 3, H, W] float32 in [-1, 1].</summary>
    public Tensor Pixels { get; }

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
                parts.Add((ImageTensors.ToBatch(pairs.Select(p => p.Image).ToList(), world.ImageSize) * 2 - 1).DetachFromDisposeScope());
                task.Increment(pairs.Count);
            }
            return new PretrainingSet(cat(parts, 0).DetachFromDisposeScope(), captions, harmful);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }

    public void Dispose() => Pixels.Dispose();
}
