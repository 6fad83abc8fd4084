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

    [Fact]
    public void Terminal_control_sequences_in_text_are_shown_as_escapes()
    {
        // An OSC sequence that sets the terminal title, a CSI colour change, and the 8-bit CSI (C1).
        var hostile = "cat\u001b]0;owned\u0007 \u001b[31mred \u009b2J end";

        Assert.Equal(@"cat\x1B]0;owned\x07 \x1B[31mred \u009B2J end", CellFormatter.Format(hostile, maxText: 200));
        Assert.Equal(@"a\x00b\x7Fc", CellFormatter.Escape("a\0b\u007Fc"));
        Assert.Equal(@"right-to-left \u202Eevil", CellFormatter.Escape("right-to-left \u202Eevil"));
        Assert.Equal(@"line\nbreak", CellFormatter.Escape("line\nbreak"));
        Assert.Equal("plain ünïcödé text", CellFormatter.Escape("plain ünïcödé text"));
    }

    [Fact]
    public void Escapes_inside_lists_and_maps_are_escaped_too()
    {
        Assert.Equal(@"[a\x1B[2J]", CellFormatter.Format(new[] { "a\u001b[2J" }));
    }
}
