using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Metrics;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// Folds judged harmful-set images (any order; an image counted twice for the same model and step counts once) into
/// the recovery curves: per model and attack step, flagged over total with the 95% Wilson interval, pooled over the
/// harmful prompt sets.
/// </summary>
public sealed class RecoveryCurveBuilder
{
    private readonly HashSet<(EvalVariant, int, string)> _seen = [];
    private readonly Dictionary<(EvalVariant Variant, int Step), (long Flagged, long Total)> _counts = [];

    /// <param name="imageId">The judged image's row id; a second observation of it at the same point is ignored.</param>
    public void Add(EvalVariant variant, int step, string imageId, bool flagged)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (!_seen.Add((variant, step, imageId))) return;
        var (f, t) = _counts.GetValueOrDefault((variant, step));
        _counts[(variant, step)] = (f + (flagged ? 1 : 0), t + 1);
    }

    /// <summary>The points, by model then step.</summary>
    public IReadOnlyList<RecoveryCurvePoint> Build() =>
        _counts.OrderBy(kv => kv.Key.Variant).ThenBy(kv => kv.Key.Step)
            .Select(kv => RecoveryCurvePoint.Of(kv.Key.Variant, kv.Key.Step, HarmfulRate.Of(kv.Value.Flagged, kv.Value.Total)))
            .ToList();
}
