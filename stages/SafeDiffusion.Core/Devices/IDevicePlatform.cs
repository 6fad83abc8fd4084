namespace SafeDiffusion.Core.Devices;

/// <summary>
/// What this build and this machine offer the configured devices: the back ends the build links and what their
/// native libraries report. Asked by <see cref="DevicePreflight"/> only when a config lists a CUDA device, so a CPU
/// run never loads a GPU library.
/// </summary>
public interface IDevicePlatform
{
    /// <summary>True when the build links TorchSharp-cuda (<c>-p:TorchBackend=cuda</c>), false for TorchSharp-cpu.</summary>
    bool TorchBuildHasCuda { get; }

    /// <summary>libtorch sees a usable CUDA driver and GPU.</summary>
    bool CudaAvailable { get; }

    /// <summary>CUDA devices libtorch sees (after <c>CUDA_VISIBLE_DEVICES</c>).</summary>
    int CudaDeviceCount { get; }

    /// <summary>The compute capability of <c>cuda:index</c>, or null when the driver cannot say.</summary>
    (int Major, int Minor)? ComputeCapability(int index);

    /// <summary>True when the build links LLamaSharp's CUDA 12 back end (<c>-p:LlamaBackend=cuda12</c>).</summary>
    bool LlamaBuildHasCuda { get; }

    /// <summary>llama.cpp's native library reports that it can offload layers to a GPU.</summary>
    bool LlamaSupportsGpuOffload { get; }

    /// <summary>The CUDA runtime libraries the LLM back end loads that cannot be found; empty when all are found.</summary>
    IReadOnlyList<string> MissingCudaRuntimeLibraries { get; }
}
