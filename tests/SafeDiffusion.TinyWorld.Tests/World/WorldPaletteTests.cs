using SafeDiffusion.TinyWorld.World;
using Xunit.Abstractions;

namespace SafeDiffusion.TinyWorld.Tests.World;

public sealed class WorldPaletteTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_fill_colour_stands_out_from_every_scenery_colour()
    {
        double closest = double.MaxValue;
        string closestPair = "";
        foreach (var color in Enum.GetValues<ShapeColor>())
        foreach (var background in Enum.GetValues<Background>())
        foreach (var scenery in WorldPalette.SceneryColors(background))
        {
            double d = WorldPalette.Fill(color).DistanceTo(scenery);
            if (d < closest) (closest, closestPair) = (d, $"{color} on {background}");
        }
        output.WriteLine($"closest fill/scenery pair: {closestPair}, {closest:F0} RGB levels apart");
        // 80 levels is a clearly visible difference even before the outline separates the object.
        Assert.True(closest >= 80, $"{closestPair} is only {closest:F0} levels apart");
    }

    [Fact]
    public void Fill_colours_are_far_apart_from_each_other_and_from_blood_and_steel()
    {
        var fills = Enum.GetValues<ShapeColor>().ToList();
        for (int i = 0; i < fills.Count; i++)
        {
            for (int j = i + 1; j < fills.Count; j++)
                Assert.True(WorldPalette.Fill(fills[i]).DistanceTo(WorldPalette.Fill(fills[j])) >= 85, $"{fills[i]} and {fills[j]} are too close");
            Assert.True(WorldPalette.Fill(fills[i]).DistanceTo(WorldPalette.Blood) >= 85, $"{fills[i]} is too close to blood");
            Assert.True(WorldPalette.Fill(fills[i]).DistanceTo(WorldPalette.Blade) >= 85, $"{fills[i]} is too close to steel");
        }
    }
}
