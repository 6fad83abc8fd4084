namespace SafeDiffusion.TinyWorld.World;

/// <summary>A falling drop of blood (a teardrop, tip up), in image-relative units like every scene coordinate.</summary>
public sealed record BloodDrop(double X, double Y, double Radius);
