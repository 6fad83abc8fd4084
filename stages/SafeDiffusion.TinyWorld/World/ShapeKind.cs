namespace SafeDiffusion.TinyWorld.World;

/// <summary>The clean object shapes a scene can hold.</summary>
public enum ShapeKind
{
    Circle,
    Square,
    Triangle,
    Star,
}
