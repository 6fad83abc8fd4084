namespace SafeDiffusion.Core.Devices;

/// <summary>
/// Which 16-bit float types a device computes in, from its kind and (for a GPU) its compute capability alone, so the
/// choice is the same wherever it is made: the doctor's table, training's mixed precision, the preflight.
/// </summary>
public static class HalfPrecision
{
    /// <summary>
    /// bfloat16 needs compute capability <see cref="DevicePreflight.BFloat16MinimumMajor"/>.0 (Ampere) or newer: older
    /// GPUs have no bfloat16 tensor-core arithmetic, so libtorch either emulates it slowly or has no kernel. A GPU whose
    /// capability the driver cannot report counts as too old. libtorch's CPU back end has bfloat16 kernels.
    /// </summary>
    public static bool SupportsBFloat16(DeviceKind kind, (int Major, int Minor)? computeCapability) =>
        kind == DeviceKind.Cpu || computeCapability is { Major: >= DevicePreflight.BFloat16MinimumMajor };

    /// <summary>
    /// float16 runs on every CUDA GPU Stable Diffusion runs on. On the CPU libtorch's float16 kernels are incomplete and
    /// slower than float32, and nothing in the pipeline runs float16 there, so the CPU counts as not supporting it.
    /// </summary>
    public static bool SupportsFloat16(DeviceKind kind) => kind == DeviceKind.Cuda;
}
