using System.Runtime.InteropServices;
using LLama.Native;

namespace SafeDiffusion.Prompts.Llm;

/// <summary>What the linked llama.cpp back end can do, and whether the CUDA runtime its CUDA build loads is installed.</summary>
public static class LlamaBackendProbe
{
    /// <summary>
    /// The CUDA 12 libraries LLamaSharp.Backend.Cuda12's llama.cpp links dynamically; the package does not carry them.
    /// </summary>
    public static IReadOnlyList<string> CudaRuntimeLibraries { get; } =
        OperatingSystem.IsWindows() ? ["cudart64_12.dll", "cublas64_12.dll"] : ["libcudart.so.12", "libcublas.so.12"];

    /// <summary>True when this build links LLamaSharp.Backend.Cuda12 (<c>-p:LlamaBackend=cuda12</c>).</summary>
    public static bool BuildHasCuda =>
#if LLAMA_CUDA12
        true;
#else
        false;
#endif

    /// <summary>llama.cpp's own answer (loads the native library).</summary>
    public static bool SupportsGpuOffload()
    {
        LlamaNativeLog.EnsureRouted();
        return NativeApi.llama_supports_gpu_offload();
    }

    /// <summary>The CUDA runtime libraries that cannot be loaded; empty when all are found.</summary>
    public static IReadOnlyList<string> MissingCudaRuntime() =>
        CudaRuntimeLibraries.Where(name =>
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) return true;
            NativeLibrary.Free(handle);
            return false;
        }).ToList();
}
