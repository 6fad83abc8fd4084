using SafeDiffusion.Images.Generation;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Images.Tests.Generation;

public sealed class MemoryEstimateTests : IDisposable
{
    private readonly TempDirectory _dir = new("memory-estimate");

    public void Dispose() => _dir.Dispose();

    private const double Gib = 1024.0 * 1024 * 1024;
    private const double RuntimeGib = 0.22; // the tiny model's txt2img case, configs only

    [Fact]
    public void The_vae_term_grows_with_the_images_decoded_at_once_and_stops_at_the_batch()
    {
        // A folder without weight files: only the activation terms and the fixed 64 MiB remain.
        var config = new ImageGenerationConfig { Width = 512, Height = 512, BatchSize = 2 };
        const long pixels = 512L * 512;
        const long overhead = 64L << 20;

        var one = MemoryEstimate.ForTxt2Img(_dir.Path, config);
        var two = MemoryEstimate.ForTxt2Img(_dir.Path, config with { VaeDecodeBatch = 2 });
        var many = MemoryEstimate.ForTxt2Img(_dir.Path, config with { VaeDecodeBatch = 64 });

        // Decoding one 512 px image outweighs the UNet's four guided rows.
        Assert.Equal(pixels * MemoryEstimate.VaeDecodeBytesPerPixel + overhead, one.Bytes);
        Assert.True(one.Bytes > 4 * pixels * MemoryEstimate.UnetActivationBytesPerPixel + overhead);
        Assert.Equal(2 * pixels * MemoryEstimate.VaeDecodeBytesPerPixel + overhead, two.Bytes);
        Assert.Equal(two, many);
    }

    /// <summary>
    /// The estimate against the peaks <c>pipeline bench memory</c> measured at full size: CPU, float32, random weights
    /// built from the released configs (docs/real-models.md, "Memory", gives the commands). Batch 8 is the txt2img
    /// case's peak; batch 1 is the decode of one image measured alone before it, which the VAE term decides. Each peak
    /// is taken less the runtime the same command measured on the tiny model, which the estimate does not count. One
    /// UNet constant a pixel fits both resolutions only roughly (SD 2.1 needs less a pixel at 768 px than SD 1.4 at
    /// 512 px), so a batch of eight may be booked up to a fifth over, one image a tenth.
    /// </summary>
    [Theory]
    [InlineData(PublishedParameterCounts.Sd14, 512, 8, 8.79, 1.2)]
    [InlineData(PublishedParameterCounts.Sd21, 768, 8, 14.10, 1.2)]
    [InlineData(PublishedParameterCounts.Sd14, 512, 1, 6.07, 1.1)]
    [InlineData(PublishedParameterCounts.Sd21, 768, 1, 9.24, 1.1)]
    public void The_estimate_covers_the_measured_peak_and_books_little_more(long parameters, int side, int batch, double measuredPeakGib, double atMost)
    {
        var config = new ImageGenerationConfig { Width = side, Height = side, BatchSize = batch };

        double estimate = MemoryEstimate.ForTxt2Img(weightBytes: parameters * 4, config).Bytes / Gib;

        double needed = measuredPeakGib - RuntimeGib;
        Assert.True(estimate >= needed, $"estimate {estimate:F2} GiB is below the measured {needed:F2} GiB");
        Assert.True(estimate <= needed * atMost, $"estimate {estimate:F2} GiB books more than x{atMost} the measured {needed:F2} GiB");
    }
}
