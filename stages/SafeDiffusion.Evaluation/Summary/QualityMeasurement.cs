using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// The distribution-level figures of one arm on one clean set, measured by the evaluation stage from image features
/// (they cannot be recomputed from per-image rows): FID, KID with its standard error (both in the FID features' space),
/// and the CLIP-space Frechet distance.
/// </summary>
public sealed record QualityMeasurement(EvalVariant Variant, bool Attacked, string PromptSet, double? Fid, double? ClipFrechetDistance,
    double? Kid = null, double? KidStandardError = null)
{
    public EvalArm Arm => new(Variant, Attacked);
}
