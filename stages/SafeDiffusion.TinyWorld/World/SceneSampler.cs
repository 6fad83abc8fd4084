namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// Draws random scene contents (<see cref="SampleDescription"/>) and places a description's items in the frame
/// (<see cref="Layout"/>): objects at varied places and sizes, never overlapping each other, the knife or its
/// drops, and always wholly inside the image. Deterministic for a given <see cref="WorldRandom"/> state.
/// </summary>
public static class SceneSampler
{
    // Object radius as a share of the image side: 4.5 to 6 px at 32x32. Smaller objects (3.5 to 5.4 px) left a star
    // a handful of pixels that a 2x-downsampling VAE blurs into a disc, so the base model could not be asked for shapes.
    public const double MinSize = 0.14;
    public const double MaxSize = 0.19;

    /// <summary>How far from the knife's axis its parts and drops reach, for keeping objects clear of it.</summary>
    private const double KnifeClearance = 0.1;

    private static readonly double[] CleanCountWeights = [0.4, 0.35, 0.25];    // 1, 2, 3 objects
    private static readonly double[] HarmfulCountWeights = [0.3, 0.4, 0.3];   // 0, 1, 2 objects beside the knife

    public static SceneSpec Sample(WorldRandom rng, bool harmful) => Layout(SampleDescription(rng, harmful), rng);

    public static SceneDescription SampleDescription(WorldRandom rng, bool harmful)
    {
        var background = (Background)rng.Next(Enum.GetValues<Background>().Length);
        int count = harmful ? rng.PickWeighted(HarmfulCountWeights) : 1 + rng.PickWeighted(CleanCountWeights);
        var groups = new List<ObjectGroup>();
        for (int i = 0; i < count; i++)
        {
            // Repeats are drawn on purpose now and then, so captions with "two"/"three" are common enough to learn.
            if (i > 0 && rng.Chance(0.2)) groups.Add(groups[^1]);
            else groups.Add(new ObjectGroup((ShapeColor)rng.Next(6), (ShapeKind)rng.Next(4), 1));
        }
        return SceneDescription.Create(background, harmful, groups);
    }

    public static SceneSpec Layout(SceneDescription description, WorldRandom rng)
    {
        var kinds = description.Groups.SelectMany(g => Enumerable.Repeat((g.Color, g.Shape), g.Count)).ToList();
        rng.Shuffle(kinds);
        long detailSeed = rng.NextSeed();
        double scale = 1.0;
        for (int attempt = 0; ; attempt++)
        {
            // Each failed round shrinks the size range a little; three large stars beside a knife can take a few.
            if (attempt > 0 && attempt % 20 == 0) scale *= 0.92;
            var knife = description.Harmful ? PlaceKnife(rng, kinds.Count) : null;
            var placed = new List<SceneObject>();
            foreach (var (color, shape) in kinds)
            {
                var obj = PlaceObject(rng, color, shape, scale, placed, knife);
                if (obj is null) break;
                placed.Add(obj);
            }
            if (placed.Count == kinds.Count) return new SceneSpec(description.Background, detailSeed, placed, knife);
        }
    }

    private static SceneObject? PlaceObject(WorldRandom rng, ShapeColor color, ShapeKind shape, double scale, List<SceneObject> placed, KnifePlacement? knife)
    {
        for (int tries = 0; tries < 60; tries++)
        {
            double size = rng.Uniform(MinSize, MaxSize) * scale;
            double r = ShapeGeometry.BoundingRadius(shape, size), margin = 0.02;
            if (r + margin >= 0.5) continue;
            double x = rng.Uniform(r + margin, 1 - r - margin), y = rng.Uniform(r + margin, 1 - r - margin);
            double rotation = shape == ShapeKind.Circle ? 0 : rng.Uniform(-20, 20);
            if (placed.Any(o => Geometry2D.Distance(x, y, o.X, o.Y) < r + ShapeGeometry.BoundingRadius(o.Shape, o.Size) + 0.03)) continue;
            if (knife is not null && !ClearOfKnife(x, y, r, knife)) continue;
            return new SceneObject(shape, color, x, y, size, rotation);
        }
        return null;
    }

    private static KnifePlacement PlaceKnife(WorldRandom rng, int objects)
    {
        double length = rng.Uniform(0.52, 0.7) - 0.05 * objects;
        double angle = rng.Uniform(-35, 35) + (rng.Chance(0.5) ? 180 : 0);
        double a = angle * Math.PI / 180, halfX = Math.Abs(Math.Cos(a)) * length / 2, halfY = Math.Abs(Math.Sin(a)) * length / 2;
        double x = rng.Uniform(0.1 + halfX, 0.9 - halfX);
        // Room below the edge for the drops to fall.
        double y = rng.Uniform(0.12 + halfY, Math.Max(0.12 + halfY, 0.76 - halfY));
        var geometry = new KnifeGeometry(new KnifePlacement(x, y, length, angle, []));
        int count = rng.Next(3, 6);
        var drops = new List<BloodDrop>(count);
        for (int i = 0; i < count; i++)
        {
            double radius = rng.Uniform(0.028, 0.042);
            var (ex, ey) = geometry.ToImage(rng.Uniform(geometry.EdgeStart, geometry.EdgeEnd), geometry.EdgeOffset);
            double dx = ex + rng.Uniform(-0.02, 0.02), dy = ey + rng.Uniform(0.05, 0.17);
            drops.Add(new BloodDrop(Math.Clamp(dx, radius + 0.01, 1 - radius - 0.01), Math.Clamp(dy, 2.4 * radius + 0.01, 1 - radius - 0.01), radius));
        }
        return new KnifePlacement(x, y, length, angle, drops);
    }

    private static bool ClearOfKnife(double x, double y, double r, KnifePlacement knife)
    {
        var (handle, tip) = knife.Ends();
        if (Geometry2D.SegmentDistance(x, y, handle.X, handle.Y, tip.X, tip.Y) < r + KnifeClearance) return false;
        // A drop's tail rises 2.3 radii above its centre; keep objects off the whole teardrop.
        return knife.Drops.All(d => Geometry2D.SegmentDistance(x, y, d.X, d.Y - 2.3 * d.Radius, d.X, d.Y) >= r + d.Radius + 0.03);
    }
}
