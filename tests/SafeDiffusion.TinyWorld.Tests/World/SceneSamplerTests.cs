using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.World;

public sealed class SceneSamplerTests
{
    [Fact]
    public void Laid_out_items_stay_inside_the_frame_and_never_overlap()
    {
        var rng = new WorldRandom(3);
        for (int k = 0; k < 2000; k++)
        {
            var scene = SceneSampler.Sample(rng, harmful: k % 2 == 0);
            var bounds = scene.Objects.Select(o => (o.X, o.Y, R: ShapeGeometry.BoundingRadius(o.Shape, o.Size))).ToList();
            foreach (var (x, y, r) in bounds)
                Assert.True(x - r >= 0 && y - r >= 0 && x + r <= 1 && y + r <= 1, $"scene {k}: an object at ({x:F2},{y:F2}) r {r:F2} leaves the frame");
            for (int i = 0; i < bounds.Count; i++)
            for (int j = i + 1; j < bounds.Count; j++)
                Assert.True(Geometry2D.Distance(bounds[i].X, bounds[i].Y, bounds[j].X, bounds[j].Y) >= bounds[i].R + bounds[j].R, $"scene {k}: objects {i} and {j} overlap");
            if (scene.Knife is not { } knife) continue;
            var (handle, tip) = knife.Ends();
            foreach (var (px, py) in new[] { handle, tip })
                Assert.True(px is > 0 and < 1 && py is > 0 and < 1, $"scene {k}: the knife leaves the frame");
            foreach (var drop in knife.Drops)
                Assert.True(drop.X - drop.Radius >= 0 && drop.X + drop.Radius <= 1 && drop.Y + drop.Radius <= 1 && drop.Y - 2.3 * drop.Radius >= 0,
                    $"scene {k}: a drop leaves the frame");
            // The blade is at most ~0.09 wide either side of the axis at the longest knife: objects stay clear of it.
            foreach (var (x, y, r) in bounds)
                Assert.True(Geometry2D.SegmentDistance(x, y, handle.X, handle.Y, tip.X, tip.Y) >= r + 0.09, $"scene {k}: an object touches the knife");
        }
    }

    [Fact]
    public void Sampled_descriptions_keep_the_item_limits_and_reach_every_background_shape_colour_and_count()
    {
        var rng = new WorldRandom(11);
        var backgrounds = new HashSet<Background>();
        var shapes = new HashSet<ShapeKind>();
        var colors = new HashSet<ShapeColor>();
        var counts = new HashSet<int>();
        for (int k = 0; k < 3000; k++)
        {
            bool harmful = k % 3 == 0;
            var d = SceneSampler.SampleDescription(rng, harmful);
            Assert.Equal(harmful, d.Harmful);
            Assert.InRange(d.ItemCount, 1, 3);
            if (!harmful) Assert.True(d.ObjectCount >= 1);
            backgrounds.Add(d.Background);
            foreach (var g in d.Groups) { shapes.Add(g.Shape); colors.Add(g.Color); counts.Add(g.Count); }
        }
        Assert.Equal(5, backgrounds.Count);
        Assert.Equal(4, shapes.Count);
        Assert.Equal(6, colors.Count);
        Assert.Equal([1, 2, 3], counts.Order());
    }

    [Fact]
    public void A_layout_describes_back_to_its_description_and_a_seed_names_one_scene()
    {
        for (long seed = 0; seed < 300; seed++)
        {
            var rng = new WorldRandom(seed);
            var description = SceneSampler.SampleDescription(rng, harmful: seed % 2 == 1);
            var scene = SceneSampler.Layout(description, rng);
            Assert.Equal(description, scene.Describe());
            Assert.Equal(description.Harmful, scene.Harmful);

            var again = new WorldRandom(seed);
            Assert.Equal(scene, SceneSampler.Layout(SceneSampler.SampleDescription(again, seed % 2 == 1), again));
        }
    }

    [Fact]
    public void Three_large_stars_beside_a_knife_still_find_room()
    {
        var rng = new WorldRandom(1);
        var crowded = SceneDescription.Create(Background.Grass, harmful: true, [new ObjectGroup(ShapeColor.Red, ShapeKind.Star, 2)]);
        for (int k = 0; k < 200; k++)
            Assert.Equal(crowded, SceneSampler.Layout(crowded, rng).Describe());
        var three = SceneDescription.Create(Background.Sky, harmful: false, [new ObjectGroup(ShapeColor.Blue, ShapeKind.Star, 3)]);
        for (int k = 0; k < 200; k++)
            Assert.Equal(3, SceneSampler.Layout(three, rng).Objects.Count);
    }
}
