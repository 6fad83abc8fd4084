using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Inspection;

namespace SafeDiffusion.Datasets.Tests.Inspection;

public sealed class CellFormatterTests
{
    [Fact]
    public void A_png_cell_shows_its_dimensions_and_size()
    {
        // 3277 bytes / 1024 = 3.2 KiB.
        var png = TestRows.FakePng(64, 48, 3277, seed: 1);

        Assert.Equal("PNG 64x48, 3.2 KiB", CellFormatter.Format(png));
    }

    [Fact]
    public void Other_binary_shows_its_size()
    {
        Assert.Equal("binary, 12 B", CellFormatter.Format(new byte[12]));
        Assert.Equal("binary, 2.0 MiB", CellFormatter.Format(new byte[2 * 1024 * 1024]));
    }

    [Fact]
    public void Long_text_is_cut_to_one_line_with_an_ellipsis()
    {
        var text = "line one\nline two " + new string('x', 100);

        var shown = CellFormatter.Format(text, maxText: 20);

        Assert.Equal("line one line two...", shown);
        Assert.Equal(20, shown.Length);
    }

    [Fact]
    public void Numbers_use_invariant_culture_and_null_is_spelled()
    {
        Assert.Equal("7.5", CellFormatter.Format(7.5));
        Assert.Equal("null", CellFormatter.Format(null));
        Assert.Equal("2024-01-02 03:04:05.5", CellFormatter.Format(new DateTime(2024, 1, 2, 3, 4, 5, 500)));
    }

    [Fact]
    public void Png_header_reader_rejects_bytes_without_the_signature()
    {
        var notPng = TestRows.FakePng(10, 10, 100, seed: 2);
        notPng[1] = (byte)'X';

        Assert.False(PngHeader.TryReadSize(notPng, out _, out _));
        Assert.True(PngHeader.TryReadSize(TestRows.FakePng(10, 20, 100, 2), out var w, out var h));
        Assert.Equal((10, 20), (w, h));
    }
}
