using System.Diagnostics;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace SafeDiffusion.Images.Tests.Codecs;

public class BoundedImageDecoderTests(ITestOutputHelper output)
{
    [Fact]
    public void A_35_byte_gif_claiming_30000x30000_is_refused_by_name_at_once()
    {
        var gif = HostileImages.HugeGif(30000, 30000);
        Assert.Equal(35, gif.Length);
        var e = RefusedQuickly(gif, "refs/bomb.gif", "GIF 30000x30000");
        Assert.Contains("refs/bomb.gif", e.Message);
        Assert.Contains("GIF", e.Message);
        Assert.Contains("only PNG and JPEG", e.Message);
    }

    [Fact]
    public void A_20000x20000_png_zlib_bomb_is_refused_from_its_header_in_well_under_a_second()
    {
        var bomb = HostileImages.ZlibBombPng(20000, 20000);
        Assert.InRange(bomb.Length, 100_000, 4 << 20);
        var e = RefusedQuickly(bomb, "part-00000.parquet, image x1", "PNG zlib bomb 20000x20000");
        Assert.Contains("part-00000.parquet, image x1", e.Message);
        Assert.Contains("20000x20000", e.Message);
        Assert.Contains("4096x4096", e.Message);
    }

    /// <summary>The decoder's refusal of <paramref name="bytes"/>, which must come within a second and 16 MiB of allocation (both printed).</summary>
    private InputDataException RefusedQuickly(byte[] bytes, string name, string what)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InputDataException>(() => BoundedImageDecoder.DecodeRgb8(bytes, name));
        long used = GC.GetAllocatedBytesForCurrentThread() - allocated;
        output.WriteLine($"{what} ({bytes.Length} B): {clock.Elapsed.TotalMilliseconds:F1} ms, {used} B allocated");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.True(used < 16 << 20, "allocated more than 16 MiB");
        return e;
    }

    [Fact]
    public void The_bomb_builder_makes_a_valid_png_so_the_refusal_is_about_size()
    {
        var small = HostileImages.ZlibBombPng(300, 200);
        var image = BoundedImageDecoder.DecodeRgb8(small, "small bomb");
        Assert.Equal((300, 200), (image.Width, image.Height));
        Assert.All(image.Pixels, p => Assert.Equal(0, p));
    }

    [Fact]
    public void Limits_are_configurable_per_side_and_by_pixel_count()
    {
        var png = TestImages.SolidPng(40, 30, new Rgba32(1, 2, 3));

        Assert.Equal(new Size(40, 30), BoundedImageDecoder.Identify(png, "ok.png", ImageDecodeLimits.Square(40)));
        var wide = Assert.Throws<InputDataException>(() => BoundedImageDecoder.Identify(png, "wide.png", new ImageDecodeLimits(39, 100, 10_000)));
        Assert.Contains("40x30 pixels, more than the 39x100 allowed", wide.Message);
        var many = Assert.Throws<InputDataException>(() => BoundedImageDecoder.Identify(png, "many.png", new ImageDecodeLimits(100, 100, 1199)));
        Assert.Contains("1200 pixels, more than the 1199 allowed", many.Message);
    }

    [Fact]
    public void Png_and_jpeg_decode()
    {
        using var source = new Image<Rgb24>(24, 16, new Rgb24(200, 100, 50));
        var png = Encode(source, new SixLabors.ImageSharp.Formats.Png.PngEncoder());
        var jpeg = Encode(source, new JpegEncoder { Quality = 95 });

        var fromPng = BoundedImageDecoder.DecodeRgb8(png, "a.png");
        var fromJpeg = BoundedImageDecoder.DecodeRgb8(jpeg, "a.jpg");

        Assert.Equal([200, 100, 50], fromPng.Pixels[..3]);
        Assert.Equal((24, 16), (fromJpeg.Width, fromJpeg.Height));
        Assert.InRange(fromJpeg.Pixels[0], 190, 210);
    }

    public static TheoryData<string> OtherFormats => ["BMP", "GIF", "TIFF", "Webp", "TGA", "PBM"];

    [Theory]
    [MemberData(nameof(OtherFormats))]
    public void Every_other_format_imagesharp_knows_is_refused_by_name(string format)
    {
        using var source = new Image<Rgb24>(8, 8, new Rgb24(9, 9, 9));
        IImageEncoder encoder = format switch
        {
            "BMP" => new BmpEncoder(),
            "GIF" => new GifEncoder(),
            "TIFF" => new TiffEncoder(),
            "Webp" => new WebpEncoder(),
            "TGA" => new TgaEncoder(),
            "PBM" => new PbmEncoder(),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        var bytes = Encode(source, encoder);

        var e = Assert.Throws<InputDataException>(() => BoundedImageDecoder.DecodeRgb8(bytes, "refs/x"));

        Assert.Contains($"is a {format} image; only PNG and JPEG images are read", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_truncated_png_is_a_clear_error_naming_its_source()
    {
        var png = TestImages.NoisyPng(32, 32, seed: 4);

        var e = Assert.Throws<InputDataException>(() => BoundedImageDecoder.DecodeRgb8(png[..(png.Length / 2)], "data.parquet, image 17"));

        Assert.Contains("data.parquet, image 17", e.Message);
        Assert.Equal(ExitCodes.InputData, e.ExitCode);
    }

    private static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var ms = new MemoryStream();
        image.Save(ms, encoder);
        return ms.ToArray();
    }
}
