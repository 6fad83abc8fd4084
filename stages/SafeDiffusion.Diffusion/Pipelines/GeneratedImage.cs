using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>A generated image (8-bit RGB, height x width x 3 bytes) and the seed of its starting noise.</summary>
/// <remarks>The image is the type the safety checker and the CLIP scorer take.</remarks>
public sealed record GeneratedImage(Rgb8Image Image, long Seed)
{
    public int Width => Image.Width;
    public int Height => Image.Height;
}
