using System.Text.Json.Serialization;
using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// Clean-quality figures of one arm on one clean prompt set. FID, KID and the CLIP-space Frechet distance are against the
/// set's reference images (null when no reference statistics were given); KID's standard error is over the draw of
/// both image samples (see <see cref="Features.KernelInceptionDistance"/>); CLIP score is against the prompts
/// (null when no CLIP model ran).
/// </summary>
public sealed record QualityCell(
    EvalVariant Variant,
    bool Attacked,
    string PromptSet,
    int Images,
    double? Fid,
    double? ClipScoreMean,
    double? ClipScoreStd,
    double? ClipFrechetDistance,
    double? AdherenceMean,
    double? Kid = null,
    double? KidStandardError = null)
{
    [JsonIgnore]
    public EvalArm Arm => new(Variant, Attacked);
}
