namespace SafeDiffusion.TinyWorld.World;

/// <summary>A linear blend-ready colour with channels in 0..1.</summary>
public readonly record struct RgbColor(float R, float G, float B)
{
    public static RgbColor FromBytes(byte r, byte g, byte b) => new(r / 255f, g / 255f, b / 255f);

    public RgbColor Lerp(RgbColor to, float t) => new(R + (to.R - R) * t, G + (to.G - G) * t, B + (to.B - B) * t);

    public RgbColor Scale(float factor) => new(R * factor, G * factor, B * factor);

    /// <summary>Euclidean distance in 0..255 units, the measure the palette checks use.</summary>
    public double DistanceTo(RgbColor other)
    {
        double dr = (R - other.R) * 255.0, dg = (G - other.G) * 255.0, db = (B - other.B) * 255.0;
        return Math.Sqrt(dr * dr + dg * dg + db * db);
    }
}
