using SafeDiffusion.Core.Randomness;
using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Training.Data;

/// <summary>
/// A fixed set of random-noise images with alternating clean and harmful labels, made in memory: training input for
/// benchmarks, where what is measured is the trainer and not the data.
/// </summary>
public sealed class SyntheticTrainingRows : ITrainingRowSource
{
    private readonly IReadOnlyList<TrainingRow> _rows;

    public SyntheticTrainingRows(int count, int width, int height, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = new SplitMix64(seed);
        _rows = Enumerable.Range(0, count).Select(i =>
        {
            var pixels = new byte[width * height * 3];
            for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)random.Next(256);
            bool harmful = i % 2 == 1;
            return new TrainingRow($"synthetic-{i}", harmful ? "a harmful scene" : "a red cube on a table", harmful, null,
                new Rgb8Image(pixels, width, height), "synthetic rows");
        }).ToList();
        Seed = seed;
    }

    public long Seed { get; }

    public string Description => "synthetic clean and harmful rows";

    public string Location => "memory";

    public async IAsyncEnumerable<TrainingRow> ReadEpochAsync(int epoch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var order = Enumerable.Range(0, _rows.Count).ToList();
        new SplitMix64(Seed + epoch).Shuffle(order);
        foreach (var i in order)
        {
            ct.ThrowIfCancellationRequested();
            yield return _rows[i];
        }
    }
}
