namespace SafeDiffusion.Evaluation.Summary;

/// <summary>The paper's claim, the verdict on it, and why.</summary>
public sealed record ClaimCheck(ClaimVerdict Verdict, string Statement, ClaimPart Robustness, ClaimPart Quality, ClaimCriteria Criteria)
{
    public const string ClaimStatement =
        "After malicious fine-tuning the safe model produces far fewer harmful images than the base model, " +
        "while before it the safe model's clean quality stays close to the base model's.";
}
