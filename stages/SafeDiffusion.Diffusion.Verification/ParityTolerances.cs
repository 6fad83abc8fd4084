namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// Every bound a reference case holds an output to, in one place. They are the reference sets' rules (the shared
/// fixtures' sd-parity and safety-checker READMEs state them), not properties of the model code: a case written by the
/// reference scripts passes within them when the port computes what the reference computes, in float32 on the CPU.
/// A change here changes what `pipeline models verify` calls a pass for every user's reference set.
/// </summary>
public static class ParityTolerances
{
    /// <summary>
    /// Integer and categorical outputs (token ids, timestep grids, flagged concepts, NSFW flags) must agree exactly:
    /// their cases report a count of mismatches, which must be zero.
    /// </summary>
    public const double Exact = 0;

    /// <summary>
    /// One float32 component (text encoder, vision tower, UNet, VAE, scheduler sigmas and trajectories, DDPM training
    /// functions): max |actual - reference| &lt;= 1e-4 * max(1, max|reference|). Relative above 1 because float32
    /// rounding grows with the magnitude of the values; absolute below 1 so outputs
    /// near zero are not held to less than the rounding of the sums that made them.
    /// </summary>
    public static double Component(double maxAbsReference) => 1e-4 * Math.Max(1.0, maxAbsReference);

    /// <summary>
    /// The whole txt2img loop (final latents and decoded image): ten times <see cref="Component"/>, because the loop
    /// chains a UNet pass per step, each feeding its rounding error into the next, and then the VAE decode.
    /// </summary>
    public static double Txt2Img(double maxAbsReference) => 1e-3 * Math.Max(1.0, maxAbsReference);

    /// <summary>
    /// Safety-checker concept and special scores: both sides round them to 3 places, so a true difference just under
    /// one rounding step can show as one full step (0.001); the 1e-9 is room for the binary representation of the
    /// decimal scores (0.124 - 0.123 is a little over 0.001 in doubles).
    /// </summary>
    public const double SafetyScore = 0.001 + 1e-9;
}
