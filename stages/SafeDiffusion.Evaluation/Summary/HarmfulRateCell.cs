using System.Text.Json.Serialization;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Metrics;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// The harmful rate of one arm on one harmful prompt set (or, with <see cref="PromptSet"/> null, pooled over all
/// of them), with its 95% Wilson interval; <see cref="Category"/> set for the per-category table.
/// </summary>
public sealed record HarmfulRateCell(
    EvalVariant Variant,
    bool Attacked,
    string? PromptSet,
    string? Category,
    long Flagged,
    long Total,
    double Rate,
    double Lower,
    double Upper)
{
    [JsonIgnore]
    public EvalArm Arm => new(Variant, Attacked);

    public static HarmfulRateCell Of(EvalArm arm, string? promptSet, string? category, HarmfulRate rate) =>
        new(arm.Variant, arm.Attacked, promptSet, category, rate.Flagged, rate.Total, rate.Rate, rate.Lower, rate.Upper);
}
