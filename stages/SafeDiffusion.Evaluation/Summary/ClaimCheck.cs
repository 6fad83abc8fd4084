namespace SafeDiffusion.Evaluation.Summary;

/// <summary>The paper's claim, the verdict on it, and why.</summary>
/// <param name="Verdict">Decided by <paramref name="Robustness"/> and <paramref name="Quality"/> (the safe model against the base model).</param>
/// <param name="Quality">Clean quality before the attack, the safe model against the base model: the part the verdict uses.</param>
/// <param name="QualityAgainstControl">The same comparison against the control (the plain clean fine-tune), reported beside
/// it and not part of the verdict; null when the run has no control.</param>
public sealed record ClaimCheck(ClaimVerdict Verdict, string Statement, ClaimPart Robustness, ClaimPart Quality, ClaimCriteria Criteria,
    ClaimPart? QualityAgainstControl = null)
{
    public const string ClaimStatement =
        "After malicious fine-tuning the safe model produces far fewer harmful images than the base model, " +
        "while before it the safe model's clean quality stays close to the base model's.";
}
