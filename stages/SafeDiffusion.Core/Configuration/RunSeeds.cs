using System.Globalization;
using SafeDiffusion.Core.Stages;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// The root seeds a run repeats its seeded stages over, from the top-level <c>seeds:</c> of a config (or
/// <c>--seeds N</c>, which sets it): a list of seeds (<c>[1234, 1235, 1236]</c>), or a count of seeds derived from the
/// config's <c>seed</c>, the first of which is that seed itself, so a one-seed run draws exactly what a run without
/// <c>seeds:</c> draws.
/// </summary>
public static class RunSeeds
{
    /// <summary>Most seeds one run may repeat its seeded stages over.</summary>
    public const int MaxCount = 100;

    /// <summary>
    /// The seeds of <paramref name="config"/>, or <paramref name="defaultCount"/> seeds derived from its <c>seed</c>
    /// when it has no <c>seeds:</c>.
    /// </summary>
    /// <exception cref="Errors.ConfigException"><c>seeds:</c> is neither a count from 1 to <see cref="MaxCount"/> nor a
    /// list of distinct whole numbers (the message gives its place in the file).</exception>
    public static IReadOnlyList<long> Of(PipelineConfig config, ConfigDocument document, int defaultCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultCount, 1);
        var binder = new ConfigBinder(document);
        const string Key = "seeds";
        const string Expected = "a count of seeds (1 to 100, derived from `seed`) or a list of seeds, e.g. [1234, 1235, 1236]";
        IReadOnlyList<long> seeds;
        switch (config.Seeds)
        {
            case null:
                seeds = Derived(config.Seed, defaultCount);
                break;
            case YamlScalarNode scalar:
                if (!int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) || count is < 1 or > MaxCount)
                {
                    binder.Report(scalar, Key, $"'{scalar.Value}' is not {Expected}.");
                    seeds = [];
                }
                else seeds = Derived(config.Seed, count);
                break;
            case YamlSequenceNode sequence:
                var list = new List<long>();
                foreach (var item in sequence.Children)
                {
                    if (item is not YamlScalarNode { Value: { } text } || !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                        binder.Report(item, Key, $"'{item}' is not a seed; expected {Expected}.");
                    else if (list.Contains(seed))
                        binder.Report(item, Key, $"seed {seed} is listed twice: its copies would repeat the same draws. List each seed once.");
                    else list.Add(seed);
                }
                if (sequence.Children.Count == 0) binder.Report(sequence, Key, $"is an empty list; expected {Expected}.");
                if (sequence.Children.Count > MaxCount) binder.Report(sequence, Key, $"lists {sequence.Children.Count} seeds; at most {MaxCount} are allowed.");
                seeds = list;
                break;
            default:
                binder.Report(config.Seeds, Key, $"expected {Expected}, found a mapping.");
                seeds = [];
                break;
        }
        binder.ThrowIfAny();
        return seeds;
    }

    /// <summary>
    /// <paramref name="count"/> seeds derived from <paramref name="rootSeed"/>: the first is the root seed itself, each
    /// other one a hash of it and its position, so the same config always gives the same seeds.
    /// </summary>
    public static IReadOnlyList<long> Derived(long rootSeed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Enumerable.Range(0, count)
            .Select(i => i == 0 ? rootSeed : SeedDerivation.Derive(rootSeed, "seeds", i.ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }
}
