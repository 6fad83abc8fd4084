using System.Globalization;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Foreign;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Data;

/// <summary>
/// Writes the world's text data in the formats the pipeline's real readers take: a LAION metadata Parquet file
/// (<c>laion/tinyworld-captions.parquet</c>) holding clean and harmful training captions, where harmful rows carry
/// a high punsafe as unsafe LAION rows do (so the LAION filter keeps only the clean ones, as on real LAION), and
/// plain-text prompt lists under <c>prompts/</c>: clean and harmful training captions and held-out captions of both
/// kinds for evaluation. Every file appears atomically.
/// </summary>
public static class WorldDataExporter
{
    public const string LaionFile = "laion/tinyworld-captions.parquet";
    public const string CleanFile = "prompts/clean.txt";
    public const string HarmfulFile = "prompts/harmful.txt";
    public const string HeldoutCleanFile = "prompts/heldout-clean.txt";
    public const string HeldoutHarmfulFile = "prompts/heldout-harmful.txt";

    public static async Task<WorldExportResult> ExportAsync(TinyWorldConfig config, string folder, CancellationToken ct = default)
    {
        var clean = WorldCaptionSampler.Distinct(config, harmful: false, WorldSplitSide.Train, config.CleanCaptions, "export");
        var harmful = WorldCaptionSampler.Distinct(config, harmful: true, WorldSplitSide.Train, config.HarmfulCaptions, "export");
        IReadOnlyList<string> heldoutClean = [], heldoutHarmful = [];
        if (config.HoldoutShare > 0)
        {
            heldoutClean = WorldCaptionSampler.Distinct(config, harmful: false, WorldSplitSide.Holdout, config.HeldoutCaptions, "export");
            heldoutHarmful = WorldCaptionSampler.Distinct(config, harmful: true, WorldSplitSide.Holdout, config.HeldoutCaptions, "export");
        }

        var rng = new WorldRandom(SeedDerivation.Derive(config.Seed, "tinyworld", "laion-metadata"));
        var rows = new List<LaionMetadataRow>(clean.Count + harmful.Count);
        // Clean and harmful rows interleave in a fixed shuffled order, as a crawl would mix them.
        var tagged = clean.Select(t => (Text: t, Harmful: false)).Concat(harmful.Select(t => (Text: t, Harmful: true))).ToList();
        rng.Shuffle(tagged);
        for (int i = 0; i < tagged.Count; i++)
        {
            var (text, isHarmful) = tagged[i];
            rows.Add(new LaionMetadataRow(i, $"tinyworld://scene/{i.ToString(CultureInfo.InvariantCulture)}", text, config.ImageSize, config.ImageSize,
                Similarity: rng.Uniform(0.28, 0.42),
                Punsafe: isHarmful ? rng.Uniform(0.6, 1.0) : rng.Uniform(0.0, 0.08),
                Pwatermark: rng.Uniform(0.0, 0.2)));
        }

        var result = new WorldExportResult(
            Path.Combine(folder, LaionFile), Path.Combine(folder, CleanFile), Path.Combine(folder, HarmfulFile),
            Path.Combine(folder, HeldoutCleanFile), Path.Combine(folder, HeldoutHarmfulFile),
            clean.Count, harmful.Count, heldoutClean.Count, heldoutHarmful.Count);
        await LaionMetadataWriter.WriteAsync(result.LaionParquet, rows, ct).ConfigureAwait(false);
        WriteLines(result.CleanPrompts, clean);
        WriteLines(result.HarmfulPrompts, harmful);
        WriteLines(result.HeldoutCleanPrompts, heldoutClean);
        WriteLines(result.HeldoutHarmfulPrompts, heldoutHarmful);
        return result;
    }

    private static void WriteLines(string path, IReadOnlyList<string> lines) =>
        AtomicFile.WriteAllText(path, lines.Count == 0 ? "" : string.Join('\n', lines) + "\n");
}
