using System.Runtime.InteropServices;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;

namespace SafeDiffusion.Diffusion.Devices;

/// <summary>
/// What libtorch and the NVIDIA driver report about CUDA. TorchSharp has no compute-capability query, so it is read
/// from the driver API (<c>libcuda.so.1</c>, which numbers devices as libtorch does under <c>CUDA_VISIBLE_DEVICES</c>).
/// </summary>
public static unsafe class TorchCudaProbe
{
    /// <summary>True when this build links TorchSharp-cuda (<c>-p:TorchBackend=cuda</c>).</summary>
    public static bool BuildHasCuda =>
#if TORCH_CUDA
        true;
#else
        false;
#endif

    public static bool IsAvailable()
    {
        LibTorchRuntime.EnsureLoadable();
        return torch.cuda.is_available();
    }

    public static int DeviceCount()
    {
        LibTorchRuntime.EnsureLoadable();
        return torch.cuda.device_count();
    }

    private const int ComputeCapabilityMajor = 75; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    private const int ComputeCapabilityMinor = 76; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

    /// <summary>The compute capability of CUDA device <paramref name="index"/>, or null without a driver or device.</summary>
    public static (int Major, int Minor)? ComputeCapability(int index)
    {
        if (!NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1", out var driver)) return null;
        if (!NativeLibrary.TryGetExport(driver, "cuInit", out var init)
            || !NativeLibrary.TryGetExport(driver, "cuDeviceGet", out var get)
            || !NativeLibrary.TryGetExport(driver, "cuDeviceGetAttribute", out var attribute)) return null;
        if (((delegate* unmanaged<uint, int>)init)(0) != 0) return null;
        int device;
        if (((delegate* unmanaged<int*, int, int>)get)(&device, index) != 0) return null;
        int major, minor;
        var read = (delegate* unmanaged<int*, int, int, int>)attribute;
        if (read(&major, ComputeCapabilityMajor, device) != 0 || read(&minor, ComputeCapabilityMinor, device) != 0) return null;
        return (major, minor);
    }
}
