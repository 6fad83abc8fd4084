namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// One clean object of a scene, in image-relative units (0..1 on both axes, y down) so a scene renders the same at
/// any size. <paramref name="Size"/> is the radius of a circle of about the object's area; <paramref name="Rotation"/>
/// is in degrees, clockwise.
/// </summary>
public sealed record SceneObject(ShapeKind Shape, ShapeColor Color, double X, double Y, double Size, double Rotation);
