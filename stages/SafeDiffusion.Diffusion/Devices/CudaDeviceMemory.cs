using System.Runtime.InteropServices;

namespace SafeDiffusion.Diffusion.Devices;

/// <summary>
/// Device memory in use as the NVIDIA driver sees it (<c>cuMemGetInfo</c>: total minus free), for the CUDA context
/// current on the calling thread. TorchSharp 0.107 exposes neither <c>torch.cuda.max_memory_allocated</c> nor
/// <c>max_memory_reserved</c>; libtorch's caching allocator keeps what it reserved until <c>empty_cache</c>, which this
/// project never calls, so the figure read after a workload is its peak reservation plus the CUDA context and any
/// other process on the device: an upper bound of <c>max_memory_allocated</c>.
/// </summary>
public static unsafe class CudaDeviceMemory
{
    /// <summary>Bytes in use on the current context's device, or null without a driver or a current context.</summary>
    public static long? InUseBytes()
    {
        if (!NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1", out var driver)) return null;
        if (!NativeLibrary.TryGetExport(driver, "cuMemGetInfo_v2", out var getInfo)) return null;
        nuint free, total;
        if (((delegate* unmanaged<nuint*, nuint*, int>)getInfo)(&free, &total) != 0) return null;
        return (long)(total - free);
    }
}
