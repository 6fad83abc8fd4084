using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;

namespace SafeDiffusion.Images.Tests.Codecs;

public class PngCodecTests
{
    private static Rgb8Image Gradient(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = (y * w + x) * 3;
            (px[i], px[i + 1], px[i + 2]) = ((byte)(x * 7), (byte)(y * 11), (byte)(x ^ y));
        }
        return new Rgb8Image(px, w, h);
    }

    [Fact]
    public void Round_trips_pixels_exactly_and_encodes_deterministically()
    {
        var image = Gradient(13, 9);
        var png = PngCodec.Encode(image);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        var back = PngCodec.Decode(png, "gradient.png");
        Assert.Equal((13, 9), (back.Width, back.Height));
        Assert.Equal(image.Pixels, back.Pixels);
        Assert.Equal(png, PngCodec.Encode(image));
    }

    [Fact]
    public void Bytes_that_are_not_an_image_name_their_source()
    {
        var e = Assert.Throws<InputDataException>(() => PngCodec.Decode("not a png"u8, "row 7 of part-00000.parquet"));
        Assert.Contains("row 7 of part-00000.parquet", e.Message);
    }
}
