using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Training.Data;

/// <summary>One training example before preprocessing: an image (encoded, or already decoded), its prompt and its class.</summary>
/// <param name="Id">Stable id: augmentation draws are seeded with it, so they do not depend on the order rows arrive in.</param>
/// <param name="Png">Encoded image bytes (PNG or any format ImageSharp reads), or null when <paramref name="Image"/> is given.</param>
/// <param name="Image">Decoded pixels, or null when <paramref name="Png"/> is given.</param>
/// <param name="Source">Where the row came from, for error messages (a Parquet file).</param>
public sealed record TrainingRow(string Id, string Text, bool Harmful, byte[]? Png, Rgb8Image? Image, string Source);
