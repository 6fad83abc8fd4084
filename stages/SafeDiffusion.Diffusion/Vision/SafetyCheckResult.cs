namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// The safety checker's verdict on one image, as diffusers 0.21 computes it: per-concept scores
/// (cosine - threshold + adjustment, rounded to 3 places), the concepts whose score is above 0, and the flag.
/// </summary>
/// <param name="ConceptScores">One score per NSFW concept (17 in SD's checker).</param>
/// <param name="SpecialScores">One score per special-care concept (3); any above 0 raises the adjustment to 0.01.</param>
/// <param name="BadConcepts">Indices of concepts with a score above 0.</param>
/// <param name="SpecialCare">Indices of special-care concepts with a score above 0.</param>
public sealed record SafetyCheckResult(
    IReadOnlyList<double> ConceptScores,
    IReadOnlyList<double> SpecialScores,
    IReadOnlyList<int> BadConcepts,
    IReadOnlyList<int> SpecialCare)
{
    /// <summary>True when any concept scored above 0: the pipeline blacks this image out.</summary>
    public bool HasNsfwConcept => BadConcepts.Count > 0;
}
