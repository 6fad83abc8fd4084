namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// How big each shape is drawn for a given <see cref="SceneObject.Size"/>: the shapes are scaled to about the area
/// of a circle of that radius, so no shape is easier to see than another.
/// </summary>
public static class ShapeGeometry
{
    /// <summary>Half the side of a square of area pi r^2.</summary>
    public const double SquareHalfSide = 0.886;

    /// <summary>Circumradius of the triangle (a little under equal area: its corners would otherwise dominate).</summary>
    public const double TriangleRadius = 1.4;

    /// <summary>Outer radius of the five-pointed star; the inner radius is half of it (area about pi r^2).</summary>
    public const double StarOuterRadius = 1.45;

    public const double StarInnerShare = 0.5;

    /// <summary>Radius of the smallest circle around the shape's centre that holds it at any rotation.</summary>
    public static double BoundingRadius(ShapeKind shape, double size) => size * shape switch
    {
        ShapeKind.Circle => 1.0,
        ShapeKind.Square => SquareHalfSide * Math.Sqrt(2),
        ShapeKind.Triangle => TriangleRadius,
        ShapeKind.Star => StarOuterRadius,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };
}
