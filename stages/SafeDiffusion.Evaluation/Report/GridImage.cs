namespace SafeDiffusion.Evaluation.Report;

/// <summary>One sampled image of a grid: the verdict and where its pixels are (inline PNG bytes or a file).</summary>
internal sealed record GridImage(bool Flagged, double Score, byte[]? Png, string? FilePath);
