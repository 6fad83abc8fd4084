using SafeDiffusion.Images.Sheets;

namespace SafeDiffusion.Images.Tests.Sheets;

public sealed class BitmapFont5x7Tests
{
    private static HashSet<(int X, int Y)> Lit(string text, int scale = 1)
    {
        var lit = new HashSet<(int, int)>();
        BitmapFont5x7.Draw(text, 0, 0, scale, (x, y) => lit.Add((x, y)));
        return lit;
    }

    [Fact]
    public void A_dash_is_the_middle_row_across_the_glyph()
    {
        Assert.Equal(Enumerable.Range(0, 5).Select(x => (x, 3)).ToHashSet(), Lit("-"));
    }

    [Fact]
    public void A_bar_is_the_middle_column_top_to_bottom()
    {
        Assert.Equal(Enumerable.Range(0, 7).Select(y => (2, y)).ToHashSet(), Lit("|"));
    }

    [Fact]
    public void Characters_advance_by_six_pixels_and_scale_multiplies_everything()
    {
        var two = Lit("||");
        Assert.Contains((2 + 6, 0), two);
        Assert.Equal(14, two.Count);

        var scaled = Lit("|", scale: 2);
        Assert.Equal(7 * 4, scaled.Count);
        Assert.Contains((5, 13), scaled);
        Assert.Equal(11, BitmapFont5x7.MeasureWidth(2));
    }

    [Fact]
    public void Space_draws_nothing_and_non_ascii_draws_a_question_mark()
    {
        Assert.Empty(Lit(" "));
        Assert.Equal(Lit("?"), Lit("é"));
        Assert.NotEmpty(Lit("?"));
    }

    [Fact]
    public void Every_printable_glyph_other_than_space_has_ink_and_letters_differ()
    {
        var shapes = new HashSet<string>();
        for (char c = '!'; c <= '~'; c++)
        {
            var lit = Lit(c.ToString());
            Assert.NotEmpty(lit);
            Assert.True(shapes.Add(string.Join(';', lit.Order())), $"'{c}' looks like another glyph");
        }
    }
}
