using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Vision;

public class PillowResamplerTests
{
    public PillowResamplerTests() => LibTorchRuntime.EnsureLoadable();

    // A 7x5 single-channel image from a fixed LCG. The expected outputs below were computed by a line-by-line
    // Python transliteration of Pillow's libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc, the 8bpc
    // horizontal then vertical passes, clip8) in plain integer arithmetic, independent of this code's matrix form.
    private static readonly byte[] Input =
    [
        126, 223, 44, 245, 138, 251, 24, 113, 86, 215, 196, 173, 226, 115, 48, 169, 46, 207, 92, 101, 58, 235, 72, 225,
        6, 199, 244, 29, 146, 99, 96, 25, 222, 191, 140,
    ];

    private static byte[] Resize(int outWidth, int outHeight, PillowFilter filter, int channel)
    {
        using var scope = torch.NewDisposeScope();
        // Three channels: the image, its negative, and a constant; each must be resampled on its own.
        var rgb = new byte[Input.Length * 3];
        for (int i = 0; i < Input.Length; i++)
        {
            rgb[3 * i] = Input[i];
            rgb[3 * i + 1] = (byte)(255 - Input[i]);
            rgb[3 * i + 2] = 77;
        }
        var image = torch.tensor(rgb, [5, 7, 3], ScalarType.Byte);
        var resized = PillowResampler.Resize(image, outWidth, outHeight, filter);
        Assert.Equal(new long[] { outHeight, outWidth, 3 }, resized.shape);
        return resized.select(2, channel).contiguous().data<byte>().ToArray();
    }

    [Fact]
    public void Bicubic_downscale_matches_pillow_bytes()
    {
        byte[] expected = [127, 173, 142, 129, 121, 147];
        Assert.Equal(expected, Resize(3, 2, PillowFilter.Bicubic, 0));
    }

    [Fact]
    public void Bicubic_upscale_matches_pillow_bytes_including_clipping_at_0_and_255()
    {
        byte[] expected =
        [
            120, 196, 195, 33, 180, 225, 136, 243, 150, 3, 122, 148, 156, 119, 195, 208, 157, 241, 167, 51, 112, 88, 110, 210, 208,
            184, 172, 218, 175, 109, 46, 107, 140, 84, 181, 191, 106, 121, 103, 76, 94, 128, 138, 87, 132, 144, 114, 135, 91, 36,
            240, 138, 99, 222, 71, 53, 200, 250, 143, 14, 197, 129, 94, 157, 42, 63, 223, 233, 161, 87, 142, 120, 97, 89, 31, 85,
            228, 202, 166, 146,
        ];
        Assert.Equal(expected, Resize(10, 8, PillowFilter.Bicubic, 0));
    }

    [Fact]
    public void Bilinear_width_only_resize_skips_the_vertical_pass_like_pillow()
    {
        byte[] expected = [164, 136, 191, 127, 106, 184, 190, 165, 100, 116, 126, 78, 165, 133, 154, 129, 123, 77, 161, 166];
        Assert.Equal(expected, Resize(4, 5, PillowFilter.Bilinear, 0));
    }

    [Fact]
    public void Channels_are_resampled_independently_and_a_constant_channel_stays_constant()
    {
        Assert.All(Resize(3, 2, PillowFilter.Bicubic, 2), v => Assert.Equal(77, v));
        Assert.All(Resize(10, 8, PillowFilter.Lanczos, 2), v => Assert.Equal(77, v));
        // Resampling is linear before rounding, so the negative image's bytes are 255 minus the image's, give or take
        // the one unit the two roundings can differ by.
        var direct = Resize(3, 2, PillowFilter.Bicubic, 0);
        var negative = Resize(3, 2, PillowFilter.Bicubic, 1);
        for (int i = 0; i < direct.Length; i++) Assert.InRange(255 - negative[i], direct[i] - 1, direct[i] + 1);
    }

    [Fact]
    public void The_same_size_returns_the_image_unchanged()
    {
        var same = Resize(7, 5, PillowFilter.Bicubic, 0);
        Assert.Equal(Input, same);
    }
}
