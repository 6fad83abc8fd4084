using SafeDiffusion.Core.Devices;

namespace SafeDiffusion.Core.Tests.Devices;

public class HalfPrecisionTests
{
    [Theory]
    [InlineData(8, 0)] // A100
    [InlineData(8, 6)] // RTX 3090, the paper's card
    [InlineData(8, 9)] // RTX 4090
    [InlineData(9, 0)] // H100
    public void An_ampere_or_newer_gpu_computes_in_bfloat16(int major, int minor)
    {
        Assert.True(HalfPrecision.SupportsBFloat16(DeviceKind.Cuda, (major, minor)));
    }

    [Theory]
    [InlineData(7, 5)] // T4, RTX 2080
    [InlineData(7, 0)] // V100
    [InlineData(6, 1)] // GTX 1080
    public void An_older_gpu_does_not_compute_in_bfloat16_but_in_float16(int major, int minor)
    {
        Assert.False(HalfPrecision.SupportsBFloat16(DeviceKind.Cuda, (major, minor)));
        Assert.True(HalfPrecision.SupportsFloat16(DeviceKind.Cuda));
    }

    [Fact]
    public void A_gpu_whose_capability_is_unknown_is_not_trusted_with_bfloat16()
    {
        Assert.False(HalfPrecision.SupportsBFloat16(DeviceKind.Cuda, null));
    }

    [Fact]
    public void The_cpu_computes_in_bfloat16_and_not_in_float16()
    {
        Assert.True(HalfPrecision.SupportsBFloat16(DeviceKind.Cpu, null));
        Assert.False(HalfPrecision.SupportsFloat16(DeviceKind.Cpu));
    }
}
