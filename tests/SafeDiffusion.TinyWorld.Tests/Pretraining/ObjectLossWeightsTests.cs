using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class ObjectLossWeightsTests
{
    public ObjectLossWeightsTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void A_covered_image_pixel_weighs_its_latent_pixel_and_a_one_pixel_rim()
    {
        // 8x8 image, 4x4 latents: image pixel (5, 2) lies under latent pixel (2, 1).
        var mask = new float[64];
        mask[5 * 8 + 2] = 1;
        using var masks = tensor(mask, [1, 1, 8, 8]);

        using var weights = ObjectLossWeights.FromMasks(masks, 4, 4.0);

        float[] expected =
        [
            1, 1, 1, 1,
            4, 4, 4, 1,
            4, 4, 4, 1,
            4, 4, 4, 1,
        ];
        Assert.Equal([1L, 1, 4, 4], weights.shape);
        Assert.Equal(expected, weights.data<float>().ToArray());
    }

    [Fact]
    public void A_weight_of_one_weighs_every_pixel_alike()
    {
        using var masks = (rand([2, 1, 32, 32]) > 0.7).to(ScalarType.Float32);
        using var weights = ObjectLossWeights.FromMasks(masks, 16, 1.0);
        Assert.Equal(1f, weights.min().item<float>());
        Assert.Equal(1f, weights.max().item<float>());
    }

    [Fact]
    public void Masks_that_do_not_reduce_to_the_latent_size_are_refused()
    {
        using var masks = zeros([1, 1, 30, 30]);
        Assert.Throws<ArgumentException>(() => ObjectLossWeights.FromMasks(masks, 16, 4.0));
    }
}
