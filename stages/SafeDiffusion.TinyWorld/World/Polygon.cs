namespace SafeDiffusion.TinyWorld.World;

/// <summary>A closed polygon (any simple outline, concave allowed) in image-relative coordinates.</summary>
public sealed class Polygon
{
    private readonly double[] _x;
    private readonly double[] _y;

    public Polygon(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 3) throw new ArgumentException("a polygon needs at least three points.", nameof(points));
        _x = points.Select(p => p.X).ToArray();
        _y = points.Select(p => p.Y).ToArray();
    }

    public int Count => _x.Length;

    public (double MinX, double MinY, double MaxX, double MaxY) Bounds => (_x.Min(), _y.Min(), _x.Max(), _y.Max());

    /// <summary>
    /// Signed distance to the outline, negative inside (the even-odd rule decides inside, so concave stars work).
    /// </summary>
    public double SignedDistance(double px, double py)
    {
        double best = double.MaxValue;
        bool inside = false;
        for (int i = 0, j = _x.Length - 1; i < _x.Length; j = i++)
        {
            double ex = _x[j] - _x[i], ey = _y[j] - _y[i];
            double wx = px - _x[i], wy = py - _y[i];
            double t = Math.Clamp((wx * ex + wy * ey) / (ex * ex + ey * ey), 0, 1);
            double bx = wx - ex * t, by = wy - ey * t;
            best = Math.Min(best, bx * bx + by * by);
            // Ray casting to +x: an edge crossing the ray's height to the right of the point toggles inside.
            if ((_y[i] > py) != (_y[j] > py) && px < _x[i] + (py - _y[i]) * (_x[j] - _x[i]) / (_y[j] - _y[i]))
                inside = !inside;
        }
        double d = Math.Sqrt(best);
        return inside ? -d : d;
    }

    /// <summary>A regular or star outline around a centre: <paramref name="radii"/> alternate around the circle.</summary>
    public static Polygon Radial(double cx, double cy, int points, IReadOnlyList<double> radii, double startDegrees)
    {
        var list = new List<(double, double)>(points);
        for (int k = 0; k < points; k++)
        {
            double a = (startDegrees + 360.0 * k / points) * Math.PI / 180.0;
            double r = radii[k % radii.Count];
            list.Add((cx + r * Math.Cos(a), cy + r * Math.Sin(a)));
        }
        return new Polygon(list);
    }
}
