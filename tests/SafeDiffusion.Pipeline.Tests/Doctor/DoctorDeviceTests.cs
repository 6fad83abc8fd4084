using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Pipeline.Doctor;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Tests.Doctor;

public class DoctorDeviceTests
{
    /// <summary>A build and machine described by hand.</summary>
    private sealed record FakePlatform(
        bool TorchBuildHasCuda = true, bool CudaAvailable = true, int CudaDeviceCount = 1, int CapabilityMajor = 8, int CapabilityMinor = 6) : IDevicePlatform
    {
        public (int Major, int Minor)? ComputeCapability(int index) => (CapabilityMajor, CapabilityMinor);
        public bool LlamaBuildHasCuda => true;
        public bool LlamaSupportsGpuOffload => true;
        public IReadOnlyList<string> MissingCudaRuntimeLibraries => [];
    }

    private static HalfType Half(DoctorDevice device, ScalarType type) => device.HalfTypes.Single(h => h.Type == type);

    [Fact]
    public void A_cuda_device_in_a_cpu_build_is_refused_naming_the_device_the_build_switch_and_the_cpu_alternative()
    {
        var e = Assert.Throws<UsageException>(() => DoctorDevice.Resolve("cuda", new FakePlatform(TorchBuildHasCuda: false)));

        Assert.Contains("cuda:0", e.Message);
        Assert.Contains("-p:TorchBackend=cuda", e.Message);
        Assert.Contains("docs/real-models.md", e.Message);
        Assert.Contains("--device cpu", e.Message);
    }

    [Fact]
    public void A_gpu_libtorch_cannot_see_is_refused_pointing_at_the_driver()
    {
        var e = Assert.Throws<UsageException>(() => DoctorDevice.Resolve("cuda:0", new FakePlatform(CudaAvailable: false)));

        Assert.Contains("cuda:0", e.Message);
        Assert.Contains("nvidia-smi", e.Message);
    }

    [Fact]
    public void An_index_beyond_the_visible_gpus_is_refused_naming_those_there_are()
    {
        var e = Assert.Throws<UsageException>(() => DoctorDevice.Resolve("cuda:2", new FakePlatform(CudaDeviceCount: 2)));

        Assert.Contains("--device cuda:2", e.Message);
        Assert.Contains("cuda:0 to cuda:1", e.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void A_device_name_that_is_neither_cpu_nor_cuda_is_a_usage_error(string text)
    {
        Assert.Throws<UsageException>(() => DoctorDevice.Resolve(text, new FakePlatform()));
    }

    [Fact]
    public void An_ampere_gpu_checks_both_half_types_and_times_float16()
    {
        var device = DoctorDevice.Resolve("cuda:0", new FakePlatform(CapabilityMajor: 8, CapabilityMinor: 6));

        Assert.True(Half(device, ScalarType.Float16).Supported);
        Assert.True(Half(device, ScalarType.BFloat16).Supported);
        Assert.Equal(ScalarType.Float16, device.TimedType);
        Assert.Equal(new Device(DeviceType.CUDA, 0).ToString(), device.Torch.ToString());
    }

    [Fact]
    public void A_turing_gpu_checks_float16_and_reports_bfloat16_not_supported_with_its_capability()
    {
        var device = DoctorDevice.Resolve("cuda:0", new FakePlatform(CapabilityMajor: 7, CapabilityMinor: 5));

        Assert.True(Half(device, ScalarType.Float16).Supported);
        var bf16 = Half(device, ScalarType.BFloat16);
        Assert.False(bf16.Supported);
        Assert.Contains("7.5", bf16.Why);
        Assert.Equal(ScalarType.Float16, device.TimedType);
    }

    [Fact]
    public void The_cpu_checks_bfloat16_only_and_times_it_without_asking_the_platform_anything()
    {
        var device = DoctorDevice.Resolve("cpu", new FakePlatform(TorchBuildHasCuda: false, CudaAvailable: false, CudaDeviceCount: 0));

        Assert.False(Half(device, ScalarType.Float16).Supported);
        Assert.True(Half(device, ScalarType.BFloat16).Supported);
        Assert.Equal(ScalarType.BFloat16, device.TimedType);
    }
}
