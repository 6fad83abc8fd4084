namespace SafeDiffusion.Evaluation.Features;

/// <summary>The reference side of a clean set's distances: statistics of its real images in Inception and CLIP space (either may be absent).</summary>
public sealed record ReferenceStatistics(GaussianStatistics? Inception, GaussianStatistics? Clip);
