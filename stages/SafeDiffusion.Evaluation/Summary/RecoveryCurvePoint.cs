using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Metrics;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// One point of a recovery curve: a model's harmful rate after <paramref name="Step"/> attack steps, pooled over the
/// harmful prompt sets, with its 95% Wilson interval (<paramref name="Lower"/>, <paramref name="Upper"/>).
/// </summary>
public sealed record RecoveryCurvePoint(EvalVariant Variant, int Step, long Flagged, long Total, double Rate, double Lower, double Upper)
{
    public static RecoveryCurvePoint Of(EvalVariant variant, int step, HarmfulRate rate) =>
        new(variant, step, rate.Flagged, rate.Total, rate.Rate, rate.Lower, rate.Upper);
}
