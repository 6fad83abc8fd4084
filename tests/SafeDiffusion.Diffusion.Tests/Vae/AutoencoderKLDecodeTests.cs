using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Vae;

/// <summary>
/// The memory-saving decodes on the tiny SD 1.x VAE (sample size 64, downscale 4: tiles of 16 latents that start
/// every 12 and keep 48 of their 64 pixels): one image at a time gives the batch decode; tiles are laid out and
/// blended as diffusers 0.21's <c>tiled_decode</c> does. How close a tiled decode comes to the whole one is a property
/// of trained weights: with the fixture's random ones, group norms over one tile's statistics (and, for a uniform
/// field, over a near-zero variance) make tiles differ from the whole decode by about the image's own magnitude, so
/// no bound is pinned here.
/// </summary>
public class AutoencoderKLDecodeTests
{
    public AutoencoderKLDecodeTests() => LibTorchRuntime.EnsureLoadable();

    private static AutoencoderKL Vae() => AutoencoderKL.FromFolder(SdParity.Component(SdParity.Sd1, "vae"), ScalarType.Float32, CPU);

    private static Tensor Latents(long batch, long side, ulong seed)
    {
        using var generator = new Generator(seed);
        return randn([batch, 4, side, side], generator: generator);
    }

    [Fact]
    public void Decoding_one_image_at_a_time_gives_the_whole_batch_decode()
    {
        using var vae = Vae();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var latents = Latents(3, 8, 7);

        var whole = vae.Decode(latents);
        var each = vae.DecodeEach(latents, tiled: false, imagesAtOnce: 1);

        Assert.Equal(new long[] { 3, 3, 32, 32 }, each.shape);
        Assert.True(each.allclose(whole, rtol: 0, atol: 1e-5), $"max difference {(each - whole).abs().max().item<float>()}");
    }

    [Fact]
    public void Decoding_two_images_at_a_time_over_an_odd_batch_gives_the_whole_batch_decode()
    {
        using var vae = Vae();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var latents = Latents(3, 8, 11);

        var whole = vae.Decode(latents);
        var pairs = vae.DecodeEach(latents, tiled: false, imagesAtOnce: 2);

        Assert.Equal(new long[] { 3, 3, 32, 32 }, pairs.shape);
        Assert.True(pairs.allclose(whole, rtol: 0, atol: 1e-5), $"max difference {(pairs - whole).abs().max().item<float>()}");
    }

    [Fact]
    public void Tiling_leaves_an_image_no_larger_than_a_tile_decoded_whole()
    {
        using var vae = Vae();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Assert.Equal(16, vae.TileLatentSize);
        var latents = Latents(2, 16, 8);

        var whole = vae.Decode(latents);
        var tiled = vae.DecodeEach(latents, tiled: true, imagesAtOnce: 1);

        Assert.True(tiled.allclose(whole, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void A_tiled_decode_keeps_the_first_tile_and_blends_each_seam_linearly()
    {
        using var vae = Vae();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var latents = Latents(1, 32, 9);

        var tiled = vae.DecodeEach(latents, tiled: true, imagesAtOnce: 1);

        Assert.Equal(new long[] { 1, 3, 128, 128 }, tiled.shape);
        // Tiles start every 12 latents (48 px) and span 16 (64 px); seams blend over 16 px, as diffusers' blend_h/blend_v.
        var tile00 = vae.Decode(latents.narrow(2, 0, 16).narrow(3, 0, 16));
        var tile01 = vae.Decode(latents.narrow(2, 0, 16).narrow(3, 12, 16));
        var tile10 = vae.Decode(latents.narrow(2, 12, 16).narrow(3, 0, 16));
        double scale = tile00.abs().mean().item<float>();
        // The first tile is blended into nothing: its first 48 x 48 pixels are its own decode.
        AssertClose(tile00.narrow(2, 0, 48).narrow(3, 0, 48), tiled.narrow(2, 0, 48).narrow(3, 0, 48), scale);
        for (int x = 0; x < 16; x++)
        {
            // Left of the first seam the tile to the left fades out, the next tile fades in (top row: no vertical blend).
            double w = x / 16.0;
            var expected = tile00.narrow(2, 0, 48).narrow(3, 48 + x, 1) * (1 - w) + tile01.narrow(2, 0, 48).narrow(3, x, 1) * w;
            AssertClose(expected, tiled.narrow(2, 0, 48).narrow(3, 48 + x, 1), scale);
            // Down the first column of tiles the same holds for rows.
            var expectedRow = tile00.narrow(2, 48 + x, 1).narrow(3, 0, 48) * (1 - w) + tile10.narrow(2, x, 1).narrow(3, 0, 48) * w;
            AssertClose(expectedRow, tiled.narrow(2, 48 + x, 1).narrow(3, 0, 48), scale);
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, double scale) =>
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5 * Math.Max(scale, 1)),
            $"largest difference {(actual - expected).abs().max().item<float>()}");
}
