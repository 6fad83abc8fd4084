namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>A generated image: 8-bit RGB, rows top to bottom, pixels interleaved (height x width x 3 bytes).</summary>
public sealed record GeneratedImage(byte[] Rgb, int Width, int Height, long Seed);
