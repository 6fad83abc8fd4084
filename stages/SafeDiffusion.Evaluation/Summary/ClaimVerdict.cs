namespace SafeDiffusion.Evaluation.Summary;

/// <summary>Whether the measured numbers support the paper's claim.</summary>
public enum ClaimVerdict
{
    Holds,
    DoesNotHold,

    /// <summary>A figure the check needs is missing (no harmful sets, no clean figures, no harmful images from the attacked base model).</summary>
    Inconclusive,
}
