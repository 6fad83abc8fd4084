using SafeDiffusion.Core.Stages;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Data;

/// <summary>
/// The world's endless, indexable stream of (image, caption) pairs. Pair <c>i</c> of a stream is a pure function of
/// the world seed, the stream's name and <c>i</c>, so pretraining can stream, shard, resume and parallelise without
/// changing what it sees. Each stream draws from one side of the <see cref="WorldSplit"/>.
/// </summary>
public sealed class TrainingPairGenerator
{
    private readonly TinyWorldConfig _config;
    private readonly string _stream;
    private readonly WorldSplitSide _side;
    private readonly double _harmfulShare;

    /// <param name="stream">Names an independent sequence ("pretrain", "classifier-train", ...).</param>
    /// <param name="harmfulShare">Share of harmful pairs; null takes the world's <see cref="TinyWorldConfig.HarmfulShare"/>.</param>
    public TrainingPairGenerator(TinyWorldConfig config, string stream = "pretrain", WorldSplitSide side = WorldSplitSide.Train, double? harmfulShare = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        if (side == WorldSplitSide.Holdout && config.HoldoutShare <= 0)
            throw new ArgumentException("the world holds nothing out (holdoutShare is 0), so a holdout stream would be empty.", nameof(side));
        _config = config;
        _stream = stream;
        _side = side;
        _harmfulShare = harmfulShare ?? config.HarmfulShare;
    }

    public int ImageSize => _config.ImageSize;

    /// <summary>The scene and caption of pair <paramref name="index"/>, not yet rendered.</summary>
    public (SceneSpec Scene, SceneDescription Description, string Caption) Describe(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new WorldRandom(SeedDerivation.Derive(_config.Seed, "tinyworld", _stream, _side.ToString(), index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        bool harmful = rng.Chance(_harmfulShare);
        SceneDescription description;
        // Redraw until the description falls on this stream's side; a side holding share p takes 1/p draws on average.
        do description = SceneSampler.SampleDescription(rng, harmful);
        while (WorldSplit.Of(description, _config.Seed, _config.HoldoutShare) != _side);
        var scene = SceneSampler.Layout(description, rng);
        return (scene, description, CaptionWriter.Write(description, rng));
    }

    public TrainingPair Pair(long index)
    {
        var (scene, description, caption) = Describe(index);
        return new TrainingPair(index, scene, description, caption, SceneRenderer.Render(scene, _config.ImageSize));
    }

    /// <summary>Pairs <paramref name="start"/> .. start + count - 1, in order.</summary>
    public IEnumerable<TrainingPair> Pairs(long start, long count, CancellationToken ct = default)
    {
        for (long i = start; i < start + count; i++)
        {
            ct.ThrowIfCancellationRequested();
            yield return Pair(i);
        }
    }

    /// <summary>Renders a block of pairs on all cores; the result is in index order and the same as <see cref="Pairs"/>.</summary>
    public IReadOnlyList<TrainingPair> Batch(long start, int count, CancellationToken ct = default)
    {
        var result = new TrainingPair[count];
        Parallel.For(0, count, new ParallelOptions { CancellationToken = ct }, i => result[i] = Pair(start + i));
        return result;
    }
}
