using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Filtering;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// Loads an evaluation prompt set: reads it with the reader for its kind, drops repeated texts, samples it
/// deterministically, and makes <see cref="PromptRecord"/>s labelled as the config says. A prompt keeps the
/// set's own seed and guidance where the set has them (I2P, DiffusionDB); otherwise its seed is derived from the
/// run seed, the set and the prompt.
/// </summary>
public static class PromptSetLoader
{
    public const string SeedPurpose = "prompt-set";

    public static IAsyncEnumerable<PromptSetEntry> ReadEntries(PromptSetConfig set, string path, CancellationToken ct) => set.Kind switch
    {
        PromptSetKind.I2p => I2pCsvReader.ReadAsync(path, ct),
        PromptSetKind.Coco => CocoCaptionsReader.ReadAsync(path, ct),
        PromptSetKind.DiffusionDb => DiffusionDbReader.ReadAsync(path, ct),
        PromptSetKind.Text => PlainTextPromptReader.ReadAsync(path, ct),
        PromptSetKind.Jsonl => JsonlPromptReader.ReadAsync(path, ct),
        _ => throw new ArgumentOutOfRangeException(nameof(set), set.Kind, "Unknown prompt set kind."),
    };

    /// <param name="baseDirectory">Where relative paths start (the config file's folder); null: the current directory.</param>
    public static async Task<EvaluationPromptSet> LoadAsync(PromptSetConfig set, long runSeed, string? baseDirectory = null,
        TimeProvider? time = null, CancellationToken ct = default)
    {
        var path = Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), set.Path));
        var sampleSeed = set.Seed ?? SeedDerivation.Derive(runSeed, SeedPurpose, set.Name, "sample");
        var sample = new DeterministicSample<PromptSetEntry>(set.SampleSize, sampleSeed);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int duplicates = 0;
        await foreach (var entry in ReadEntries(set, path, ct).ConfigureAwait(false))
        {
            var text = PromptText.Normalize(entry.Text);
            if (text.Length == 0) continue;
            seen.TryGetValue(text, out var occurrence);
            seen[text] = occurrence + 1;
            if (occurrence > 0 && set.Deduplicate)
            {
                duplicates++;
                continue;
            }
            var key = occurrence == 0 ? text : text + "\u001f" + occurrence.ToString(CultureInfo.InvariantCulture);
            sample.Offer(entry with { Text = text }, key);
        }

        var now = (time ?? TimeProvider.System).GetUtcNow();
        var generator = $"{set.Kind.ToString().ToLowerInvariant()}:{Path.GetFileName(path)}";
        var prompts = sample.Result().Select(entry =>
        {
            var id = PromptRecord.StableId(set.Name, entry.Text);
            var record = new PromptRecord(id, entry.Text, set.Label, entry.Category ?? set.Category ?? set.Name, set.Name,
                entry.Seed ?? SeedDerivation.Derive(runSeed, SeedPurpose, set.Name, id), generator, now, entry.Guidance);
            return new EvaluationPrompt(record, entry);
        }).ToList();
        return new EvaluationPromptSet(set.Name, prompts, sample.Offered + duplicates, duplicates);
    }
}
