using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Tests.Devices;

public class DevicePreflightTests
{
    /// <summary>A build and machine described by hand; a CPU-only config must not ask it anything.</summary>
    private sealed record FakePlatform(
        bool TorchBuildHasCuda = true, bool CudaAvailable = true, int CudaDeviceCount = 1, int CapabilityMajor = 8, int CapabilityMinor = 6,
        bool LlamaBuildHasCuda = true, bool LlamaSupportsGpuOffload = true, IReadOnlyList<string>? Missing = null) : IDevicePlatform
    {
        public (int Major, int Minor)? ComputeCapability(int index) => (CapabilityMajor, CapabilityMinor);
        public IReadOnlyList<string> MissingCudaRuntimeLibraries => Missing ?? [];
    }

    private sealed class UntouchablePlatform : IDevicePlatform
    {
        public bool TorchBuildHasCuda => throw new InvalidOperationException("probed");
        public bool CudaAvailable => throw new InvalidOperationException("probed");
        public int CudaDeviceCount => throw new InvalidOperationException("probed");
        public (int Major, int Minor)? ComputeCapability(int index) => throw new InvalidOperationException("probed");
        public bool LlamaBuildHasCuda => throw new InvalidOperationException("probed");
        public bool LlamaSupportsGpuOffload => throw new InvalidOperationException("probed");
        public IReadOnlyList<string> MissingCudaRuntimeLibraries => throw new InvalidOperationException("probed");
    }

    private static PreflightRequest Request(string[] devices, string[]? bf16 = null, bool llm = false) =>
        new(devices.Select(d => new DeviceSpec(d, ByteSize.FromGiB(8))).ToList(), bf16 ?? [], llm);

    [Fact]
    public void A_cpu_only_config_passes_without_loading_any_gpu_library()
    {
        Assert.Empty(DevicePreflight.Problems(Request(["cpu"], ["models.base.dtype: bfloat16"], llm: true), new UntouchablePlatform()));
    }

    [Fact]
    public void Cuda_on_a_cpu_build_names_the_device_and_the_build_switch()
    {
        var e = Assert.Throws<UsageException>(() => DevicePreflight.ThrowIfAny(Request(["cpu", "cuda:0"]), new FakePlatform(TorchBuildHasCuda: false)));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("devices: cuda:0 but this build is TorchSharp-cpu: build with -p:TorchBackend=cuda", e.Message);
    }

    [Fact]
    public void A_cuda_build_without_a_visible_gpu_says_so()
    {
        var problem = Assert.Single(DevicePreflight.Problems(Request(["cuda:0"]), new FakePlatform(CudaAvailable: false)));
        Assert.Contains("no CUDA GPU", problem);
        Assert.Contains("nvidia-smi", problem);
    }

    [Fact]
    public void A_device_index_beyond_the_visible_count_is_named()
    {
        var problem = Assert.Single(DevicePreflight.Problems(Request(["cuda:0", "cuda:2"]), new FakePlatform(CudaDeviceCount: 2)));
        Assert.Contains("devices: cuda:2 but only 2 CUDA device(s) are visible (cuda:0 to cuda:1)", problem);
    }

    [Fact]
    public void Bfloat16_is_refused_below_compute_capability_8_and_accepted_from_it()
    {
        var request = Request(["cuda:0"], ["models.base.dtype: bfloat16"]);
        var problem = Assert.Single(DevicePreflight.Problems(request, new FakePlatform(CapabilityMajor: 7, CapabilityMinor: 5)));
        Assert.Contains("models.base.dtype: bfloat16", problem);
        Assert.Contains("compute capability 7.5", problem);
        Assert.Contains("float16", problem);
        Assert.Empty(DevicePreflight.Problems(request, new FakePlatform(CapabilityMajor: 8, CapabilityMinor: 0)));
    }

    [Fact]
    public void An_llm_on_a_gpu_lease_needs_the_cuda_back_end_and_its_runtime()
    {
        var request = Request(["cuda:0"], llm: true);
        Assert.Contains("-p:LlamaBackend=cuda12", Assert.Single(DevicePreflight.Problems(request, new FakePlatform(LlamaBuildHasCuda: false))));
        var missing = Assert.Single(DevicePreflight.Problems(request, new FakePlatform(Missing: ["libcublas.so.12"])));
        Assert.Contains("libcublas.so.12", missing);
        Assert.Contains("CUDA 12 runtime", missing);
        Assert.Contains("no GPU offload", Assert.Single(DevicePreflight.Problems(request, new FakePlatform(LlamaSupportsGpuOffload: false))));
        Assert.Empty(DevicePreflight.Problems(request, new FakePlatform()));
        // Without GPU layers the LLM runs on the CPU and its back end is not asked.
        Assert.Empty(DevicePreflight.Problems(Request(["cuda:0"]), new FakePlatform(LlamaBuildHasCuda: false)));
    }

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var e = Assert.Throws<UsageException>(() => DevicePreflight.ThrowIfAny(
            Request(["cuda:0", "cuda:3"], ["stages.safety-train.precision"], llm: true),
            new FakePlatform(CapabilityMajor: 7, CapabilityMinor: 0, LlamaBuildHasCuda: false)));
        Assert.StartsWith("Preflight found 3 problems:", e.Message);
    }
}
