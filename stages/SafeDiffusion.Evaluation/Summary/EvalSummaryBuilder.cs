using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Metrics;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// Folds evaluation rows (streamed, any order; a repeated image id counts once) and the stage's FID measurements
/// into an <see cref="EvalSummary"/>. Harmful sets give harmful rates per set, pooled and per category; clean sets
/// give CLIP score mean and standard deviation from the rows plus FID and CLIP-space Frechet distance from the
/// measurements. PNG bytes are never kept.
/// </summary>
public sealed class EvalSummaryBuilder
{
    private readonly Dictionary<string, PromptLabel> _setKinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _setPrompts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _setImages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<EvalArm>> _setArms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<(EvalArm, string), (long Flagged, long Total)> _bySet = [];
    private readonly Dictionary<(EvalArm, string), (long Flagged, long Total)> _byCategory = [];
    private readonly Dictionary<(EvalArm, string), List<double>> _clip = [];
    private readonly Dictionary<(EvalArm, string), List<double>> _adherence = [];
    private readonly Dictionary<(EvalArm, string), int> _cleanImages = [];
    private readonly Dictionary<(EvalArm, string), QualityMeasurement> _measurements = [];

    public static EvalSummary Build(IEnumerable<EvalImageRecord> rows, IEnumerable<QualityMeasurement> measurements,
        EvalRunSettings settings, ClaimCriteria? criteria = null, DateTimeOffset? createdUtc = null)
    {
        var builder = new EvalSummaryBuilder();
        foreach (var row in rows) builder.Add(row);
        foreach (var m in measurements) builder.Add(m);
        return builder.Build(settings, criteria, createdUtc);
    }

    public void Add(EvalImageRecord row)
    {
        if (!_seen.Add(row.ImageId)) return;
        if (_setKinds.TryGetValue(row.PromptSet, out var kind) && kind != row.SetKind)
            throw new ArgumentException($"prompt set '{row.PromptSet}' appears both as {EvalValues.Text(kind)} and as {EvalValues.Text(row.SetKind)}.", nameof(row));
        _setKinds[row.PromptSet] = row.SetKind;
        (_setPrompts.TryGetValue(row.PromptSet, out var prompts) ? prompts : _setPrompts[row.PromptSet] = new(StringComparer.Ordinal)).Add(row.PromptId);
        _setImages[row.PromptSet] = _setImages.GetValueOrDefault(row.PromptSet) + 1;
        (_setArms.TryGetValue(row.PromptSet, out var setArms) ? setArms : _setArms[row.PromptSet] = []).Add(row.Arm);

        var arm = row.Arm;
        if (row.SetKind == PromptLabel.Harmful)
        {
            Count(_bySet, (arm, row.PromptSet), row.Flagged);
            Count(_byCategory, (arm, string.IsNullOrEmpty(row.Category) ? "(none)" : row.Category), row.Flagged);
            return;
        }
        _cleanImages[(arm, row.PromptSet)] = _cleanImages.GetValueOrDefault((arm, row.PromptSet)) + 1;
        if (row.ClipScore is { } clip) Values(_clip, (arm, row.PromptSet)).Add(clip);
        if (row.Adherence is { } adherence) Values(_adherence, (arm, row.PromptSet)).Add(adherence);
    }

    public void Add(QualityMeasurement measurement) => _measurements[(measurement.Arm, measurement.PromptSet)] = measurement;

    public EvalSummary Build(EvalRunSettings settings, ClaimCriteria? criteria = null, DateTimeOffset? createdUtc = null)
    {
        criteria ??= ClaimCriteria.Default;
        foreach (var (arm, set) in _measurements.Keys)
            if (!_setKinds.TryGetValue(set, out var kind) || kind != PromptLabel.Clean)
                throw new ArgumentException($"a quality measurement names prompt set '{set}' ({arm.Label}), which has no clean evaluation rows.");

        var sets = _setKinds.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new PromptSetSummary(kv.Key, kv.Value, _setPrompts[kv.Key].Count, _setImages[kv.Key], _setArms[kv.Key].Count))
            .ToList();

        var harmful = _bySet.OrderBy(kv => kv.Key.Item2, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item1)
            .Select(kv => HarmfulRateCell.Of(kv.Key.Item1, kv.Key.Item2, null, HarmfulRate.Of(kv.Value.Flagged, kv.Value.Total)))
            .ToList();
        var pooled = harmful.GroupBy(c => c.Arm).OrderBy(g => g.Key)
            .Select(g => HarmfulRateCell.Of(g.Key, null, null, HarmfulRate.Of(g.Sum(c => c.Flagged), g.Sum(c => c.Total))))
            .ToList();
        var categories = _byCategory.OrderBy(kv => kv.Key.Item2, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item1)
            .Select(kv => HarmfulRateCell.Of(kv.Key.Item1, null, kv.Key.Item2, HarmfulRate.Of(kv.Value.Flagged, kv.Value.Total)))
            .ToList();

        var quality = _cleanImages.Keys.Concat(_measurements.Keys).Distinct()
            .OrderBy(k => k.Item2, StringComparer.Ordinal).ThenBy(k => k.Item1)
            .Select(key =>
            {
                var clip = _clip.TryGetValue(key, out var c) && c.Count > 0 ? ScoreSummary.Of(c) : null;
                var adherence = _adherence.TryGetValue(key, out var a) && a.Count > 0 ? ScoreSummary.Of(a) : null;
                _measurements.TryGetValue(key, out var m);
                return new QualityCell(key.Item1.Variant, key.Item1.Attacked, key.Item2, _cleanImages.GetValueOrDefault(key),
                    m?.Fid, clip?.Mean, clip?.StdDev, m?.ClipFrechetDistance, adherence?.Mean, m?.Kid, m?.KidStandardError);
            })
            .ToList();

        return new EvalSummary
        {
            CreatedUtc = createdUtc ?? DateTimeOffset.UtcNow,
            Settings = settings,
            PromptSets = sets,
            HarmfulRates = harmful,
            PooledHarmfulRates = pooled,
            CategoryRates = categories,
            Quality = quality,
            Claim = ClaimEvaluator.Evaluate(pooled, quality, criteria),
        };
    }

    private static void Count(Dictionary<(EvalArm, string), (long Flagged, long Total)> counts, (EvalArm, string) key, bool flagged)
    {
        var (f, t) = counts.GetValueOrDefault(key);
        counts[key] = (f + (flagged ? 1 : 0), t + 1);
    }

    private static List<double> Values(Dictionary<(EvalArm, string), List<double>> values, (EvalArm, string) key) =>
        values.TryGetValue(key, out var list) ? list : values[key] = [];
}
