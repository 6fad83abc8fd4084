using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Images.Sheets;
using SafeDiffusion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Tests.Sheets;

public sealed class ContactSheetTests
{
    private static readonly ContactSheetLayout Small = new()
    {
        Columns = 3, CellSize = 64, Padding = 8, CaptionGap = 4, CaptionLines = 2, FontSize = 11,
    };

    [Fact]
    public void Five_images_in_three_columns_make_a_sheet_of_the_documented_size()
    {
        var cells = Enumerable.Range(0, 5).Select(i => new ImageCell($"img-{i}", "clean: a cat", TestImages.NoisyPng(64, 64, i))).ToList();

        var png = ContactSheet.RenderPng(cells, Small);

        using var sheet = Image.Load<Rgba32>(png);
        // Width: 8 + 3 * (64 + 8) = 224. Rows: ceil(5 / 3) = 2, each 64 + 4 + (two lines of 11 px text) + 8 high.
        Assert.Equal(224, sheet.Width);
        int row = (sheet.Height - 8) / 2;
        Assert.Equal(8 + 2 * row, sheet.Height);
        Assert.InRange(row - (64 + 4 + 8), 2 * 11, 2 * 11 * 1.5);
        Assert.Equal((sheet.Width, sheet.Height), Small.Measure(5));
        Assert.True(png.AsSpan().StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
    }

    [Fact]
    public void Fewer_images_than_columns_narrow_the_sheet()
    {
        var (oneRowWidth, oneRowHeight) = Small.Measure(2);
        Assert.Equal(8 + 2 * 72, oneRowWidth);
        Assert.Equal(Small.Measure(3).Height, oneRowHeight);
        Assert.True(Small.Measure(4).Height > oneRowHeight);
    }

    [Fact]
    public void A_wide_image_is_fitted_into_its_cell_keeping_its_aspect_ratio_and_centred()
    {
        var red = new Rgba32(255, 0, 0);
        var cells = new[] { new ImageCell("wide", null, TestImages.SolidPng(32, 16, red)) };

        using var sheet = Image.Load<Rgba32>(ContactSheet.RenderPng(cells, Small));

        // 32x16 scaled to fit 64x64 is 64x32, centred: rows 16..47 of the cell are image, the rest cell background.
        Assert.Equal(red, sheet[8 + 32, 8 + 32]);
        Assert.Equal(red, sheet[8 + 1, 8 + 17]);
        Assert.NotEqual(red, sheet[8 + 32, 8 + 5]);
        Assert.NotEqual(red, sheet[8 + 32, 8 + 60]);
    }

    [Fact]
    public void Captions_are_drawn_under_each_thumbnail_and_nowhere_in_empty_slots()
    {
        var white = new Rgba32(255, 255, 255);
        var cells = Enumerable.Range(0, 2).Select(i => new ImageCell($"id{i}", "harmful: text", TestImages.SolidPng(8, 8, white))).ToList();
        using var sheet = Image.Load<Rgba32>(ContactSheet.RenderPng(cells, Small with { Columns = 2 }));
        int captionTop = 8 + 64 + 4, captionHeight = Small.CaptionHeight;

        Assert.True(CountDark(sheet, 8, captionTop, 64, captionHeight) > 0);
        Assert.True(CountDark(sheet, 8 + 72, captionTop, 64, captionHeight) > 0);
        using var three = Image.Load<Rgba32>(ContactSheet.RenderPng([.. cells, new ImageCell("x", null, TestImages.SolidPng(8, 8, white))], Small with { Columns = 2 }));
        // Second row holds one image; the slot to its right stays blank.
        int secondRow = 8 + 64 + 4 + captionHeight + 8;
        Assert.True(CountDark(three, 8, secondRow + 64 + 4, 64, captionHeight) > 0);
        Assert.Equal(0, CountDark(three, 8 + 72, secondRow + 64 + 4, 64, captionHeight));
    }

    [Fact]
    public void Bytes_that_are_not_an_image_get_a_marked_cell_instead_of_failing_the_sheet()
    {
        var cells = new[] { new ImageCell("broken", "clean: x", [1, 2, 3, 4]), new ImageCell("ok", null, TestImages.NoisyPng(16, 16, 1)) };

        using var sheet = Image.Load<Rgba32>(ContactSheet.RenderPng(cells, Small));

        Assert.Equal(new Rgba32(190, 60, 60), sheet[8 + 10, 8 + 10]);
    }

    [Fact]
    public void Caption_lines_put_the_id_first_then_wrap_the_caption_and_mark_a_cut_with_an_ellipsis()
    {
        var lines = ContactSheet.CaptionLines("img-1", "harmful: a very long prompt about things that goes on", width: 80, lines: 3, fontSize: 11);

        Assert.Equal(3, lines.Count);
        Assert.Equal("img-1", lines[0]);
        Assert.StartsWith("harmful: a", lines[1]);
        Assert.EndsWith("\u2026", lines[2]);
        Assert.Equal(["id", "short"], ContactSheet.CaptionLines("id", "short", 80, 3, 11));
        var cutId = Assert.Single(ContactSheet.CaptionLines("abcdefghijklmnopqrstuvwxyz-0123456789", "x", 80, 1, 11));
        Assert.StartsWith("abc", cutId);
        Assert.EndsWith("\u2026", cutId);
    }

    [Fact]
    public void An_empty_list_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ContactSheet.RenderPng([], Small));
    }

    private static int CountDark(Image<Rgba32> image, int left, int top, int width, int height)
    {
        int dark = 0;
        for (int y = top; y < top + height; y++)
        for (int x = left; x < left + width; x++)
            if (image[x, y].R < 100) dark++;
        return dark;
    }
}
