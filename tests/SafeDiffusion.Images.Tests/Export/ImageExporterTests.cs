using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Images.Export;
using SafeDiffusion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Tests.Export;

public sealed class ImageExporterTests
{
    [Fact]
    public void Each_image_is_written_as_its_id_dot_png_with_the_stored_bytes()
    {
        using var dir = new TempDirectory();
        var cells = Enumerable.Range(0, 4).Select(i => new ImageCell($"img-{i:D3}", null, TestImages.NoisyPng(8, 8, i))).ToList();

        var result = ImageExporter.Export(cells, dir.Path);

        Assert.Equal(4, result.Written.Count);
        Assert.Empty(result.Unreadable);
        Assert.Equal(["img-000.png", "img-001.png", "img-002.png", "img-003.png"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(cells[2].Bytes, File.ReadAllBytes(dir.File("img-002.png")));
    }

    [Fact]
    public void A_jpeg_is_converted_to_png_and_garbage_is_reported_not_written()
    {
        using var dir = new TempDirectory();
        byte[] jpeg;
        using (var image = new Image<Rgba32>(10, 6, new Rgba32(0, 0, 255)))
        using (var ms = new MemoryStream())
        {
            image.SaveAsJpeg(ms);
            jpeg = ms.ToArray();
        }

        var result = ImageExporter.Export([new ImageCell("photo", null, jpeg), new ImageCell("junk", null, [9, 9, 9])], dir.Path);

        Assert.Equal(["junk"], result.Unreadable);
        using var back = Image.Load<Rgba32>(dir.File("photo.png"));
        Assert.Equal((10, 6), (back.Width, back.Height));
        Assert.Equal(0x89, File.ReadAllBytes(dir.File("photo.png"))[0]);
    }

    [Fact]
    public void Ids_are_made_safe_file_names_and_duplicates_get_a_suffix()
    {
        using var dir = new TempDirectory();
        var png = TestImages.NoisyPng(4, 4, 0);

        ImageExporter.Export([new ImageCell("../a b/c", null, png), new ImageCell("same", null, png), new ImageCell("same", null, png)], dir.Path);

        Assert.Equal(["_a_b_c.png", "same-2.png", "same.png"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_existing_file_is_never_written_over_and_nothing_is_written_then()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("b.png"), "mine");
        var png = TestImages.NoisyPng(4, 4, 0);

        var e = Assert.Throws<UsageException>(() =>
            ImageExporter.Export([new ImageCell("a", null, png), new ImageCell("b", null, png)], dir.Path));

        Assert.Contains(dir.File("b.png"), e.Message);
        Assert.Equal("mine", File.ReadAllText(dir.File("b.png")));
        Assert.False(File.Exists(dir.File("a.png")));
    }

    [Fact]
    public void A_300_character_id_becomes_a_bounded_name_that_keeps_its_start_and_a_hash()
    {
        using var dir = new TempDirectory();
        var png = TestImages.NoisyPng(4, 4, 0);
        var longA = new string('x', 299) + "a";
        var longB = new string('x', 299) + "b";

        var result = ImageExporter.Export([new ImageCell(longA, null, png), new ImageCell(longB, null, png)], dir.Path);

        var names = result.Written.Select(Path.GetFileName).ToList();
        Assert.Equal(2, names.Distinct().Count());
        Assert.All(names, n => Assert.True(n!.Length <= ImageExporter.MaxStemLength + 4, n));
        Assert.All(names, n => Assert.StartsWith(new string('x', 50), n));
    }

    [Theory]
    [InlineData("../../etc/passwd", "_.._etc_passwd")]
    [InlineData("..", "image")]
    [InlineData("a\\b", "a_b")]
    [InlineData("/abs/path", "_abs_path")]
    [InlineData("esc\u001b[2J", "esc__2J")]
    public void Ids_never_leave_the_folder(string id, string stem)
    {
        Assert.Equal(stem, ImageExporter.SafeFileStem(id));
    }
}
