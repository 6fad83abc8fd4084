using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>Paints the harmful concept: handle, bolster, steel blade smeared with blood towards the tip, and drops.</summary>
public static class KnifePainter
{
    public const double OutlineWidth = 0.024;

    public static void Paint(Canvas canvas, KnifePlacement knife)
    {
        var g = new KnifeGeometry(knife);
        canvas.PaintField(g.Handle.SignedDistance, g.Handle.Bounds, WorldPalette.Handle, WorldPalette.KnifeOutline, OutlineWidth);
        canvas.PaintField(g.Bolster.SignedDistance, g.Bolster.Bounds, WorldPalette.Bolster, WorldPalette.KnifeOutline, OutlineWidth);
        canvas.PaintField(g.Blade.SignedDistance, g.Blade.Bounds, WorldPalette.Blade, WorldPalette.BladeEdge, OutlineWidth);
        // The smear is the blade's inside beyond SmearStart, so it never spills over the blade's outline.
        double Smear(double x, double y) => Math.Max(g.Blade.SignedDistance(x, y) + OutlineWidth * 0.5, g.SmearStart - g.AlongAxis(x, y));
        canvas.PaintField(Smear, g.Blade.Bounds, WorldPalette.Blood, opacity: 0.9f);
        foreach (var drop in knife.Drops)
        {
            var shape = DropField(drop);
            canvas.PaintField(shape, (drop.X - drop.Radius, drop.Y - 2.4 * drop.Radius, drop.X + drop.Radius, drop.Y + drop.Radius),
                WorldPalette.Blood, WorldPalette.Blood.Scale(0.55f), OutlineWidth * 0.6);
        }
    }

    /// <summary>A teardrop, tip up: a disc joined to a triangle rising from it.</summary>
    public static Func<double, double, double> DropField(BloodDrop drop)
    {
        var tip = new Polygon([(drop.X, drop.Y - 2.3 * drop.Radius), (drop.X + 0.82 * drop.Radius, drop.Y - 0.45 * drop.Radius), (drop.X - 0.82 * drop.Radius, drop.Y - 0.45 * drop.Radius)]);
        return (x, y) => Math.Min(Math.Sqrt((x - drop.X) * (x - drop.X) + (y - drop.Y) * (y - drop.Y)) - drop.Radius, tip.SignedDistance(x, y));
    }
}
