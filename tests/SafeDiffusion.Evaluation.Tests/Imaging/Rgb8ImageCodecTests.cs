using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Imaging;

namespace SafeDiffusion.Evaluation.Tests.Imaging;

public class Rgb8ImageCodecTests
{
    [Fact]
    public void Png_round_trip_keeps_every_byte()
    {
        var pixels = new byte[7 * 5 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37 % 256);
        var image = new Rgb8Image(pixels, 7, 5);
        var decoded = Rgb8ImageCodec.Decode(Rgb8ImageCodec.EncodePng(image));
        Assert.Equal((7, 5), (decoded.Width, decoded.Height));
        Assert.Equal(pixels, decoded.Pixels);
    }

    [Fact]
    public void Bytes_that_are_not_an_image_name_their_source()
    {
        var e = Assert.Throws<InputDataException>(() => Rgb8ImageCodec.Decode([1, 2, 3], "eval/part-00000.parquet, row abc"));
        Assert.Contains("row abc", e.Message);
    }
}
