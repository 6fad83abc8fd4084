using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.World;

public sealed class SceneMaskTests
{
    [Fact]
    public void A_circle_covers_about_its_area_around_its_centre_and_nothing_else()
    {
        // Radius 0.15 of 32 px = 4.8 px, centred at (16, 19.2).
        var scene = new SceneSpec(Background.Sand, 3, [new SceneObject(ShapeKind.Circle, ShapeColor.Red, 0.5, 0.6, 0.15, 0)], null);
        var mask = SceneMask.Of(scene, SceneRenderer.Render(scene, 32));

        Assert.True(mask[19 * 32 + 16], "the centre");
        Assert.False(mask[3 * 32 + 3], "a far corner");
        int covered = mask.Count(m => m);
        // Between the disc one pixel inside the edge and the disc with its outline and anti-aliased rim.
        Assert.InRange(covered, Math.PI * 3.8 * 3.8, Math.PI * 6.3 * 6.3);
        for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
            if (mask[y * 32 + x])
                Assert.True(Math.Sqrt((x + 0.5 - 16) * (x + 0.5 - 16) + (y + 0.5 - 19.2) * (y + 0.5 - 19.2)) < 6.5, $"pixel ({x}, {y}) is off the circle");
    }

    [Fact]
    public void Scenery_alone_covers_nothing_even_with_stars_and_waves()
    {
        foreach (var background in Enum.GetValues<Background>())
        {
            var scene = new SceneSpec(background, 11, [], null);
            Assert.DoesNotContain(true, SceneMask.Of(scene, SceneRenderer.Render(scene, 32)));
        }
    }

    [Fact]
    public void The_knife_and_its_drops_are_covered_in_a_harmful_scene()
    {
        var rng = new WorldRandom(4);
        var scene = SceneSampler.Layout(SceneDescription.Create(Background.Grass, true, []), rng);
        var mask = SceneMask.Of(scene, SceneRenderer.Render(scene, 32));
        var (handle, tip) = scene.Knife!.Ends();
        int X(double v) => Math.Clamp((int)(v * 32), 0, 31);
        // Halfway along the blade, and the centre of every drop.
        Assert.True(mask[X((handle.Y + tip.Y) / 2) * 32 + X((handle.X + tip.X) / 2)], "the knife's middle");
        foreach (var drop in scene.Knife.Drops)
            Assert.True(mask[X(drop.Y) * 32 + X(drop.X)], $"the drop at ({drop.X:F2}, {drop.Y:F2})");
    }
}
