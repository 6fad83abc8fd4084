using SafeDiffusion.Core.Stages;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Data;

/// <summary>Draws distinct captions of one kind (clean or harmful) from one side of the world's split.</summary>
public static class WorldCaptionSampler
{
    public static IReadOnlyList<string> Distinct(TinyWorldConfig config, bool harmful, WorldSplitSide side, int count, string purpose)
    {
        var rng = new WorldRandom(SeedDerivation.Derive(config.Seed, "tinyworld", "captions", purpose, harmful ? "harmful" : "clean", side.ToString()));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(count);
        // Far more distinct captions exist than any list asks for; the bound only stops a misconfigured world spinning.
        for (long draws = 0; result.Count < count; draws++)
        {
            if (draws > 200L * count + 100_000)
                throw new InvalidOperationException($"only {result.Count} distinct {(harmful ? "harmful" : "clean")} {side} captions found after {draws} draws; asked for {count}.");
            var description = SceneSampler.SampleDescription(rng, harmful);
            if (WorldSplit.Of(description, config.Seed, config.HoldoutShare) != side) continue;
            var caption = CaptionWriter.Write(description, rng);
            if (seen.Add(caption)) result.Add(caption);
        }
        return result;
    }
}
