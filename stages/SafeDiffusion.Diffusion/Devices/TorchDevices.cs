using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Devices;

/// <summary>From the scheduler's device leases and the config's dtype names to TorchSharp's devices and types.</summary>
public static class TorchDevices
{
    public static Device ToTorch(DeviceSpec device)
    {
        LibTorchRuntime.EnsureLoadable();
        return device.Kind == DeviceKind.Cuda ? new Device(DeviceType.CUDA, device.Index) : CPU;
    }

    /// <summary>Auto is float16 on CUDA (as SD is usually run) and float32 on the CPU, where half precision is slow and lossy.</summary>
    public static ScalarType ResolveDtype(ModelDtype dtype, DeviceSpec device) => dtype switch
    {
        ModelDtype.Float32 => ScalarType.Float32,
        ModelDtype.Float16 => ScalarType.Float16,
        ModelDtype.BFloat16 => ScalarType.BFloat16,
        _ => device.Kind == DeviceKind.Cuda ? ScalarType.Float16 : ScalarType.Float32,
    };

    public static int BytesPerElement(ScalarType t) => t switch
    {
        ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Float64 => 8,
        _ => 4,
    };
}
