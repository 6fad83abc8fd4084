namespace SafeDiffusion.TinyWorld.World;

/// <summary>The fill colours of clean objects (see <see cref="WorldPalette"/> for their RGB values).</summary>
public enum ShapeColor
{
    Red,
    Green,
    Blue,
    Yellow,
    Purple,
    Orange,
}
