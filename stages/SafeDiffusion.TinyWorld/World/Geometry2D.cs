namespace SafeDiffusion.TinyWorld.World;

/// <summary>Point and segment distances in image-relative coordinates.</summary>
public static class Geometry2D
{
    public static double Distance(double ax, double ay, double bx, double by) => Math.Sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by));

    /// <summary>Distance from a point to the segment a-b (a point when a = b).</summary>
    public static double SegmentDistance(double px, double py, double ax, double ay, double bx, double by)
    {
        double ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
        double t = len2 == 0 ? 0 : Math.Clamp(((px - ax) * ex + (py - ay) * ey) / len2, 0, 1);
        return Distance(px, py, ax + ex * t, ay + ey * t);
    }
}
