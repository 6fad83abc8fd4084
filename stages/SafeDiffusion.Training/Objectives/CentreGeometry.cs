namespace SafeDiffusion.Training.Objectives;

/// <summary>
/// Where the two class centres (running per-class means of the transformed z0_hat) sit, measured against the all-ones
/// direction u = (1, ..., 1) / sqrt(D) of latent space. LT's transform adds -s to every clean coordinate and +s to every
/// harmful one, a push along u alone; when the gap between the centres lies almost entirely along u
/// (<see cref="GapOnesShare"/> near 1), the separation is a uniform shift of the latents, which an attack can undo by
/// learning one offset rather than forgetting anything.
/// </summary>
/// <param name="CleanNorm">‖c_clean‖.</param>
/// <param name="CleanOnes">c_clean · u: the clean centre's component along the all-ones direction.</param>
/// <param name="HarmfulNorm">‖c_harmful‖.</param>
/// <param name="HarmfulOnes">c_harmful · u.</param>
/// <param name="GapOnesShare">((c_harmful - c_clean) · u)² / ‖c_harmful - c_clean‖²: the share of the gap's squared length along u (0 when the centres coincide).</param>
public sealed record CentreGeometry(double CleanNorm, double CleanOnes, double HarmfulNorm, double HarmfulOnes, double GapOnesShare);
