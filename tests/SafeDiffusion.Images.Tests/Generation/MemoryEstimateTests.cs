using SafeDiffusion.Images.Generation;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Images.Tests.Generation;

public sealed class MemoryEstimateTests : IDisposable
{
    private readonly TempDirectory _dir = new("memory-estimate");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_vae_term_grows_with_the_images_decoded_at_once_and_stops_at_the_batch()
    {
        // A folder without weight files: only the activation terms and the fixed 64 MiB remain.
        var config = new ImageGenerationConfig { Width = 512, Height = 512, BatchSize = 4 };
        const long pixels = 512L * 512;
        const long overhead = 64L << 20;

        var one = MemoryEstimate.ForTxt2Img(_dir.Path, config);
        var two = MemoryEstimate.ForTxt2Img(_dir.Path, config with { VaeDecodeBatch = 2 });
        var many = MemoryEstimate.ForTxt2Img(_dir.Path, config with { VaeDecodeBatch = 64 });

        // 8 KiB a pixel of each image being decoded outweighs the UNet's 64 B a pixel over 8 guided rows.
        Assert.Equal(pixels * 8192 + overhead, one.Bytes);
        Assert.Equal(2 * pixels * 8192 + overhead, two.Bytes);
        Assert.Equal(4 * pixels * 8192 + overhead, many.Bytes);
    }
}
