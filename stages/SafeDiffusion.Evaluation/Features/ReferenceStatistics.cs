namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// The reference side of a clean set's distances: statistics of its real images in Inception and CLIP space (either may
/// be absent), and the Inception-space vectors themselves for the kernel distance (absent where no Inception features ran).
/// </summary>
public sealed record ReferenceStatistics(GaussianStatistics? Inception, GaussianStatistics? Clip, FeatureSample? InceptionFeatures = null);
