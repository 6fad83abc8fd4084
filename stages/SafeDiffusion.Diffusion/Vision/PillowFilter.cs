namespace SafeDiffusion.Diffusion.Vision;

/// <summary>Pillow's resampling filters, numbered as Pillow and the <c>resample</c> key of image processor configs number them.</summary>
public enum PillowFilter
{
    Nearest = 0,
    Lanczos = 1,
    Bilinear = 2,
    Bicubic = 3,
    Box = 4,
    Hamming = 5,
}
