using SafeDiffusion.Core.Devices;
using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Tests.Engine;

public class TrainingPrecisionChoiceTests
{
    [Fact]
    public void Auto_trains_in_bf16_mixed_precision_on_a_gpu_with_bfloat16()
    {
        Assert.True(TrainingPrecisionChoice.UsesBFloat16Mixed(TrainingPrecision.Auto, DeviceKind.Cuda, (8, 6)));
    }

    [Theory]
    [InlineData(7, 5)]
    [InlineData(7, 0)]
    public void Auto_trains_in_float32_on_a_gpu_without_bfloat16(int major, int minor)
    {
        Assert.False(TrainingPrecisionChoice.UsesBFloat16Mixed(TrainingPrecision.Auto, DeviceKind.Cuda, (major, minor)));
    }

    [Fact]
    public void Auto_trains_in_float32_on_a_gpu_whose_capability_is_unknown_and_on_the_cpu()
    {
        Assert.False(TrainingPrecisionChoice.UsesBFloat16Mixed(TrainingPrecision.Auto, DeviceKind.Cuda, null));
        Assert.False(TrainingPrecisionChoice.UsesBFloat16Mixed(TrainingPrecision.Auto, DeviceKind.Cpu, null));
    }

    [Theory]
    [InlineData(DeviceKind.Cpu)]
    [InlineData(DeviceKind.Cuda)]
    public void An_explicit_precision_is_kept_whatever_the_device(DeviceKind kind)
    {
        Assert.True(TrainingPrecisionChoice.UsesBFloat16Mixed(TrainingPrecision.BFloat16Mixed, kind, (7, 5)));
        Assert.False(TrainingPrecisionChoice.UsesBFloat16Mixed(TrainingPrecision.Float32, kind, (9, 0)));
    }
}
