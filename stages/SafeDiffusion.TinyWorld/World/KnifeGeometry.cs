
namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// The knife's parts as polygons in image coordinates. In the knife's own frame t runs from the handle end
/// (-L/2) to the tip (+L/2) and n points to the spine, which is always the side facing up in the image, so the
/// cutting edge faces down and the blood drips from it.
/// </summary>
public sealed class KnifeGeometry
{
    public KnifeGeometry(KnifePlacement knife)
    {
        Knife = knife;
        double a = knife.Angle * Math.PI / 180.0;
        (AxisX, AxisY) = (Math.Cos(a), Math.Sin(a));
        // Of the two perpendiculars, take the one pointing up the image (y grows downwards).
        (UpX, UpY) = AxisX >= 0 ? (AxisY, -AxisX) : (-AxisY, AxisX);
        double l = knife.Length, h = -l / 2;
        double handleEnd = h + KnifePlacement.HandleShare * l, bladeStart = handleEnd + 0.06 * l, tip = l / 2, blade = tip - bladeStart;
        double w = KnifePlacement.BladeHalfWidth * l;
        Handle = Local([(h, 0.055 * l), (handleEnd, 0.065 * l), (handleEnd, -0.065 * l), (h, -0.055 * l)]);
        Bolster = Local([(handleEnd, 0.085 * l), (bladeStart, 0.085 * l), (bladeStart, -0.085 * l), (handleEnd, -0.085 * l)]);
        Blade = Local([(bladeStart, 0.7 * w), (tip, 0.35 * w), (tip - 0.12 * blade, -0.25 * w), (tip - 0.35 * blade, -0.8 * w), (bladeStart, -w)]);
        SmearStart = tip - 0.5 * blade;
        EdgeStart = bladeStart;
        EdgeEnd = tip - 0.1 * blade;
        EdgeOffset = -0.85 * w;
    }

    public KnifePlacement Knife { get; }
    public double AxisX { get; }
    public double AxisY { get; }
    public double UpX { get; }
    public double UpY { get; }
    public Polygon Handle { get; }
    public Polygon Bolster { get; }
    public Polygon Blade { get; }

    /// <summary>Along the axis, where the blood smear on the blade begins (it runs to the tip).</summary>
    public double SmearStart { get; }

    /// <summary>The stretch of cutting edge (axis coordinates) drops fall from, and its offset from the axis.</summary>
    public double EdgeStart { get; }
    public double EdgeEnd { get; }
    public double EdgeOffset { get; }

    /// <summary>Image point of knife-frame coordinates.</summary>
    public (double X, double Y) ToImage(double t, double n) => (Knife.X + AxisX * t + UpX * n, Knife.Y + AxisY * t + UpY * n);

    /// <summary>Axis coordinate of an image point.</summary>
    public double AlongAxis(double x, double y) => (x - Knife.X) * AxisX + (y - Knife.Y) * AxisY;

    private Polygon Local(IEnumerable<(double T, double N)> points) => new(points.Select(p => ToImage(p.T, p.N)).ToList());
}
