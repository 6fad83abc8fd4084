using SafeDiffusion.Core.Devices;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Prompts.Llm;

namespace SafeDiffusion.Pipeline.Cli;

/// <summary>The devices of this build and machine, as TorchSharp, the NVIDIA driver and llama.cpp report them; each asked once, when first needed.</summary>
internal sealed class NativeDevicePlatform : IDevicePlatform
{
    private readonly Lazy<bool> _available = new(TorchCudaProbe.IsAvailable);
    private readonly Lazy<int> _count = new(TorchCudaProbe.DeviceCount);
    private readonly Lazy<bool> _offload = new(LlamaBackendProbe.SupportsGpuOffload);
    private readonly Lazy<IReadOnlyList<string>> _missing = new(LlamaBackendProbe.MissingCudaRuntime);

    public bool TorchBuildHasCuda => TorchCudaProbe.BuildHasCuda;
    public bool CudaAvailable => _available.Value;
    public int CudaDeviceCount => _count.Value;
    public (int Major, int Minor)? ComputeCapability(int index) => TorchCudaProbe.ComputeCapability(index);
    public bool LlamaBuildHasCuda => LlamaBackendProbe.BuildHasCuda;
    public bool LlamaSupportsGpuOffload => _offload.Value;
    public IReadOnlyList<string> MissingCudaRuntimeLibraries => _missing.Value;
}
