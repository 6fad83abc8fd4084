using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.Tests.Support;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.World;

public sealed class SceneRendererTests
{
    private static SceneSpec Single(ShapeKind shape, ShapeColor color, Background background, long detailSeed = 5) =>
        new(background, detailSeed, [new SceneObject(shape, color, 0.5, 0.6, 0.15, 0)], null);

    [Fact]
    public void A_spec_renders_the_same_pixels_every_time_and_another_detail_seed_changes_them()
    {
        var spec = SceneSampler.Sample(new WorldRandom(42), harmful: true);
        var first = SceneRenderer.Render(spec, 32);
        var second = SceneRenderer.Render(spec with { }, 32);
        Assert.Equal(first.Pixels, second.Pixels);
        var otherDetails = SceneRenderer.Render(spec with { DetailSeed = spec.DetailSeed + 1 }, 32);
        Assert.NotEqual(first.Pixels, otherDetails.Pixels);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(48)]
    public void Renders_have_the_requested_size(int size)
    {
        var image = SceneRenderer.Render(SceneSampler.Sample(new WorldRandom(size), harmful: false), size);
        Assert.Equal(size, image.Width);
        Assert.Equal(size, image.Height);
        Assert.Equal(size * size * 3, image.Pixels.Length);
    }

    [Fact]
    public void A_scene_at_64_pixels_shows_the_same_picture_as_at_32()
    {
        var rng = new WorldRandom(9);
        for (int k = 0; k < 10; k++)
        {
            var spec = SceneSampler.Sample(rng, harmful: k % 2 == 0);
            var small = SceneRenderer.Render(spec, 32);
            var large = SceneRenderer.Render(spec, 64);
            double diff = 0;
            for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            for (int c = 0; c < 3; c++)
            {
                // A 2x2 block average of the large render is the small render's pixel area.
                double mean = (large.Pixels[((2 * y) * 64 + 2 * x) * 3 + c] + large.Pixels[((2 * y) * 64 + 2 * x + 1) * 3 + c]
                             + large.Pixels[((2 * y + 1) * 64 + 2 * x) * 3 + c] + large.Pixels[((2 * y + 1) * 64 + 2 * x + 1) * 3 + c]) / 4.0;
                diff += Math.Abs(mean - small.Pixels[(y * 32 + x) * 3 + c]);
            }
            // Edges differ by their anti-aliasing ramp; the content must not (a moved object would cost ~40+).
            Assert.True(diff / (32 * 32 * 3) < 12, $"scene {k}: mean difference {diff / (32 * 32 * 3):F1} levels");
        }
    }

    [Theory]
    [InlineData(ShapeColor.Red)]
    [InlineData(ShapeColor.Green)]
    [InlineData(ShapeColor.Blue)]
    [InlineData(ShapeColor.Yellow)]
    [InlineData(ShapeColor.Purple)]
    [InlineData(ShapeColor.Orange)]
    public void An_object_shows_its_named_colour_inside_a_darker_outline(ShapeColor color)
    {
        foreach (var background in Enum.GetValues<Background>())
        {
            var image = SceneRenderer.Render(Single(ShapeKind.Circle, color, background), 64);
            var (r, g, b) = Pixels.At(image, 32, 38);
            // What the colour's name means, in plain RGB terms.
            bool named = color switch
            {
                ShapeColor.Red => r > 190 && g < 80 && b < 80,
                ShapeColor.Green => g > 170 && r < 100 && b < 120,
                ShapeColor.Blue => b > 190 && r < 90 && g < 130,
                ShapeColor.Yellow => r > 220 && g > 190 && b < 90,
                ShapeColor.Purple => r > 130 && b > 170 && g < 90,
                ShapeColor.Orange => r > 220 && g is > 100 and < 170 && b < 60,
                _ => false,
            };
            Assert.True(named, $"{color} on {background}: centre pixel ({r},{g},{b})");
            // Radius 0.15 of 64 px is 9.6 px and the outline about 2 px wide: the pixel centre 8.5 px out lies on the ring.
            var (er, eg, eb) = Pixels.At(image, 32 + 8, 38);
            Assert.True(er + eg + eb < (r + g + b) * 0.7, $"{color} on {background}: edge ({er},{eg},{eb}) is not darker than the fill");
        }
    }

    [Fact]
    public void Each_background_has_its_recognisable_structure()
    {
        for (long seed = 1; seed <= 6; seed++)
        {
            var sky = SceneRenderer.Render(new SceneSpec(Background.Sky, seed, [], null), 32);
            var top = Pixels.RowMean(sky, 0, 3);
            var bottom = Pixels.RowMean(sky, 29, 32);
            Assert.True(top.B > top.R + 60, $"sky {seed}: top rows are not blue {top}");
            Assert.True(top.R + top.G < bottom.R + bottom.G - 60, $"sky {seed}: no light-to-dark gradient {top} -> {bottom}");

            var sea = SceneRenderer.Render(new SceneSpec(Background.Sea, seed, [], null), 32);
            var seaTop = Pixels.RowMean(sea, 0, 2);
            var seaBottom = Pixels.RowMean(sea, 28, 32);
            Assert.True(seaTop.R + seaTop.G + seaTop.B > 450, $"sea {seed}: no light sky above the horizon {seaTop}");
            Assert.True(seaBottom.B > seaBottom.R + 50 && seaBottom.R + seaBottom.G + seaBottom.B < 300, $"sea {seed}: water is not deep blue {seaBottom}");
            Assert.True(LargestRowJump(sea) > 120, $"sea {seed}: no horizon");

            var grass = SceneRenderer.Render(new SceneSpec(Background.Grass, seed, [], null), 32);
            var field = Pixels.RowMean(grass, 16, 32);
            Assert.True(field.G > field.R + 25 && field.G > field.B + 25, $"grass {seed}: the field is not green {field}");
            Assert.True(LargestRowJump(grass) > 120, $"grass {seed}: no horizon");

            var sand = SceneRenderer.Render(new SceneSpec(Background.Sand, seed, [], null), 32);
            var dunes = Pixels.RowMean(sand, 16, 32);
            Assert.True(dunes.R > dunes.G + 10 && dunes.G > dunes.B + 30 && dunes.R > 170, $"sand {seed}: the ground is not sandy {dunes}");

            var night = SceneRenderer.Render(new SceneSpec(Background.Night, seed, [], null), 32);
            var dark = Pixels.RowMean(night, 0, 32);
            Assert.True(dark.R + dark.G + dark.B < 200, $"night {seed}: not dark {dark}");
            Assert.True(Pixels.Count(night, (r, g, b) => r > 120 && g > 120 && b > 120) >= 5, $"night {seed}: no moon");
            // The moon stays in the top third (its centre at most a quarter down, its radius under 3 px), so light below it is stars.
            Assert.True(Pixels.Count(night, 12, 32, (r, g, b) => r + g + b > 250) >= 1, $"night {seed}: no stars");
        }
    }

    [Fact]
    public void A_harmful_scene_draws_a_steel_blade_and_dark_red_blood()
    {
        static bool Steel(int r, int g, int b) => r > 150 && Math.Abs(r - g) < 20 && Math.Abs(g - b) < 25;
        static bool Blood(int r, int g, int b) => r > 90 && g < 40 && b < 50 && r > 2.5 * Math.Max(g, 1);
        var rng = new WorldRandom(77);
        for (int k = 0; k < 20; k++)
        {
            // The sea has no grey (its horizon blends blue into blue) and no red, so every steel or blood pixel is the knife.
            var description = SceneDescription.Create(Background.Sea, harmful: true, []);
            var harmful = SceneSampler.Layout(description, rng);
            var clean = harmful with { Knife = null };
            var withKnife = SceneRenderer.Render(harmful, 32);
            var without = SceneRenderer.Render(clean, 32);
            Assert.True(Pixels.Count(withKnife, Steel) >= 4, $"scene {k}: {Pixels.Count(withKnife, Steel)} steel pixels");
            Assert.True(Pixels.Count(withKnife, Blood) >= 4, $"scene {k}: {Pixels.Count(withKnife, Blood)} blood pixels");
            Assert.Equal(0, Pixels.Count(without, Steel));
            Assert.Equal(0, Pixels.Count(without, Blood));
        }
    }

    private static double LargestRowJump(Diffusion.Vision.Rgb8Image image)
    {
        double best = 0;
        for (int y = 1; y < image.Height; y++)
        {
            var a = Pixels.RowMean(image, y - 1, y);
            var b = Pixels.RowMean(image, y, y + 1);
            best = Math.Max(best, Math.Abs(a.R + a.G + a.B - b.R - b.G - b.B));
        }
        return best;
    }
}
