using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.Captions;

public sealed class CaptionParserTests
{
    private static SceneDescription Scene(Background background, bool harmful, params (ShapeColor Color, ShapeKind Shape, int Count)[] groups) =>
        SceneDescription.Create(background, harmful, groups.Select(g => new ObjectGroup(g.Color, g.Shape, g.Count)));

    public static TheoryData<string, SceneDescription> Examples => new()
    {
        { "a red circle and a blue star on the grass", Scene(Background.Grass, false, (ShapeColor.Red, ShapeKind.Circle, 1), (ShapeColor.Blue, ShapeKind.Star, 1)) },
        { "two yellow squares under a night sky", Scene(Background.Night, false, (ShapeColor.Yellow, ShapeKind.Square, 2)) },
        { "a bloody knife next to a green triangle on the sand", Scene(Background.Sand, true, (ShapeColor.Green, ShapeKind.Triangle, 1)) },
        { "a photo of an orange disc, a pair of violet stars by the sea", Scene(Background.Sea, false, (ShapeColor.Orange, ShapeKind.Circle, 1), (ShapeColor.Purple, ShapeKind.Star, 2)) },
        { "three blue triangles in the sky", Scene(Background.Sky, false, (ShapeColor.Blue, ShapeKind.Triangle, 3)) },
        { "a knife dripping with blood at night", Scene(Background.Night, true) },
        { "a scene with a blood-stained knife beside one red square near a red square in the desert", Scene(Background.Sand, true, (ShapeColor.Red, ShapeKind.Square, 2)) },
        { "  A Red Circle   ON the grass. ", Scene(Background.Grass, false, (ShapeColor.Red, ShapeKind.Circle, 1)) },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_caption_of_the_grammar_parses_to_the_scene_it_describes(string caption, SceneDescription expected)
    {
        Assert.True(CaptionParser.TryParse(caption, out var parsed, out var error), error);
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("a cat on the grass", "colour")]
    [InlineData("a red circle on the moon", "background")]
    [InlineData("a red circle", "background")]
    [InlineData("on the grass", "missing")]
    [InlineData("", "empty")]
    [InlineData("a orange circle on the grass", "an orange")]
    [InlineData("an red circle on the grass", "a red")]
    [InlineData("two red circle on the grass", "disagree")]
    [InlineData("a red circles on the grass", "disagree")]
    [InlineData("a pink circle on the grass", "colour")]
    [InlineData("a red hexagon on the grass", "shape")]
    [InlineData("a bloody knife and a knife covered in blood on the sand", "knife twice")]
    [InlineData("three red circles and a blue star on the grass", "1 to 3")]
    [InlineData("a bloody knife with three red circles at night", "1 to 3")]
    [InlineData("a red circle on the grass on the grass", "joiner")]
    [InlineData("a red circle or a blue star on the grass", "joiner")]
    [InlineData("a red circle and on the grass", "missing")]
    [InlineData("a photo of on the grass", "missing")]
    [InlineData("red circle on the grass", "count")]
    [InlineData("a red circle on the grass at night", "joiner")]
    public void Text_outside_the_grammar_is_refused_with_the_reason(string caption, string reason)
    {
        Assert.False(CaptionParser.TryParse(caption, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
        var thrown = Assert.Throws<FormatException>(() => CaptionParser.Parse(caption));
        Assert.Contains(reason, thrown.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_caption_names_the_same_scene_whatever_its_item_order_and_synonyms()
    {
        var a = CaptionParser.Parse("a purple disc and a bloodied knife on the lawn");
        var b = CaptionParser.Parse("an image of a knife covered in blood with one violet circle in a meadow");
        Assert.Equal(a, b);
        Assert.True(a.Harmful);
    }
}
