namespace SafeDiffusion.Evaluation.Summary;

/// <summary>One half of the claim check (robustness after the attack, or clean quality before it), with its evidence in words.</summary>
public sealed record ClaimPart(ClaimVerdict Verdict, string Evidence);
