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

    /// <summary>
    /// The torch threads one batch may use on a CPU device: the process's torch threads
    /// (<see cref="TorchWorkerThreads.DefaultCount"/>) shared equally among the device's compute slots, at least one.
    /// Batches of different stages run at once in those slots, so together they keep to the cores instead of
    /// oversubscribing them; libgomp's waiting threads make an oversubscribed core far slower than a shared one.
    /// </summary>
    public static int CpuThreadsPerCompute(DeviceSpec device) =>
        Math.Max(1, TorchWorkerThreads.DefaultCount / Math.Max(1, device.ComputeSlots));

    /// <summary>
    /// Makes the calling thread's torch work keep to its share of a CPU device (<see cref="CpuThreadsPerCompute"/>), when
    /// this libtorch can limit one thread (<see cref="TorchThreadLimit.IsAvailable"/>); nothing on a GPU. Call it inside a
    /// compute slot, on the thread that runs the batch.
    /// </summary>
    public static void KeepToComputeShare(DeviceSpec device)
    {
        if (device.Kind == DeviceKind.Cpu && TorchThreadLimit.IsAvailable) TorchThreadLimit.LimitCurrentThread(CpuThreadsPerCompute(device));
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
