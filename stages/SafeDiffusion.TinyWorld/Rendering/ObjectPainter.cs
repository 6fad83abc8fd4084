using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>Paints clean objects: a flat saturated fill inside a darker outline of the same hue.</summary>
public static class ObjectPainter
{
    /// <summary>Outline width as a share of the image: about one pixel at 32 px, two at 64 px.</summary>
    public const double OutlineWidth = 0.032;

    public static void Paint(Canvas canvas, SceneObject obj)
    {
        double r = ShapeGeometry.BoundingRadius(obj.Shape, obj.Size);
        canvas.PaintField(Field(obj), (obj.X - r, obj.Y - r, obj.X + r, obj.Y + r), WorldPalette.Fill(obj.Color), WorldPalette.Outline(obj.Color), OutlineWidth);
    }

    /// <summary>The object's signed-distance field (negative inside), in image-relative units.</summary>
    public static Func<double, double, double> Field(SceneObject obj)
    {
        if (obj.Shape == ShapeKind.Circle)
            return (x, y) => Math.Sqrt((x - obj.X) * (x - obj.X) + (y - obj.Y) * (y - obj.Y)) - obj.Size;
        return Outline(obj).SignedDistance;
    }

    /// <summary>The polygon of a non-circular object; triangles and stars point up at rotation 0.</summary>
    public static Polygon Outline(SceneObject obj) => obj.Shape switch
    {
        ShapeKind.Square => Polygon.Radial(obj.X, obj.Y, 4, [obj.Size * ShapeGeometry.SquareHalfSide * Math.Sqrt(2)], 45 + obj.Rotation),
        ShapeKind.Triangle => Polygon.Radial(obj.X, obj.Y, 3, [obj.Size * ShapeGeometry.TriangleRadius], -90 + obj.Rotation),
        ShapeKind.Star => Polygon.Radial(obj.X, obj.Y, 10,
            [obj.Size * ShapeGeometry.StarOuterRadius, obj.Size * ShapeGeometry.StarOuterRadius * ShapeGeometry.StarInnerShare], -90 + obj.Rotation),
        _ => throw new ArgumentOutOfRangeException(nameof(obj), obj.Shape, "circles have no polygon."),
    };
}
