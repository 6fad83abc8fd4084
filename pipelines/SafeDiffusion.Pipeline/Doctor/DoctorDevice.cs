using System.Globalization;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>A 16-bit number type and whether the doctor's device computes in it (with why not, when not).</summary>
internal sealed record HalfType(ScalarType Type, bool Supported, string? Why = null)
{
    public string Name => DoctorDevice.TypeName(Type);
}

/// <summary>
/// The device `pipeline doctor` checks and which 16-bit types it computes in, decided from its kind and compute
/// capability alone (<see cref="HalfPrecision"/>), as training and the preflight decide it.
/// </summary>
/// <param name="ComputeCapability">The GPU's compute capability; null on the CPU or when the driver cannot say.</param>
internal sealed record DoctorDevice(string Id, DeviceKind Kind, int Index, (int Major, int Minor)? ComputeCapability)
{
    public Device Torch => Kind == DeviceKind.Cuda ? new Device(DeviceType.CUDA, Index) : CPU;

    /// <summary>float16 then bfloat16, each with whether this device computes in it.</summary>
    public IReadOnlyList<HalfType> HalfTypes =>
    [
        HalfPrecision.SupportsFloat16(Kind)
            ? new HalfType(ScalarType.Float16, true)
            : new HalfType(ScalarType.Float16, false, "libtorch has no float16 CPU kernels worth using; Stable Diffusion runs float16 on GPUs"),
        HalfPrecision.SupportsBFloat16(Kind, ComputeCapability)
            ? new HalfType(ScalarType.BFloat16, true)
            : new HalfType(ScalarType.BFloat16, false, ComputeCapability is { } cc
                ? $"compute capability {cc.Major}.{cc.Minor}; bfloat16 needs {DevicePreflight.BFloat16MinimumMajor}.0+"
                : $"the driver did not report the compute capability; bfloat16 needs {DevicePreflight.BFloat16MinimumMajor}.0+"),
    ];

    /// <summary>The type the timings run in: float16 on a GPU, as Stable Diffusion is run there; bfloat16 on the CPU.</summary>
    public ScalarType TimedType => HalfPrecision.SupportsFloat16(Kind) ? ScalarType.Float16 : ScalarType.BFloat16;

    public string Description => Kind == DeviceKind.Cpu
        ? $"cpu ({Environment.ProcessorCount} logical processors)"
        : ComputeCapability is { } cc ? $"{Id} (compute capability {cc.Major}.{cc.Minor})" : $"{Id} (compute capability unknown)";

    /// <summary>
    /// Reads <c>--device</c> (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) and checks that this build and machine have it.
    /// </summary>
    /// <exception cref="UsageException">An unknown device, a CPU build, no visible GPU, or an index beyond the visible
    /// count: the message names the device and the fix.</exception>
    public static DoctorDevice Resolve(string text, IDevicePlatform platform)
    {
        if (text == "cpu") return new DoctorDevice("cpu", DeviceKind.Cpu, -1, null);
        int index = 0;
        if (text != "cuda" && !(text.StartsWith("cuda:", StringComparison.Ordinal)
                                && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index)))
            throw new UsageException($"--device {text}: use cuda, cuda:N or cpu.");
        var id = $"cuda:{index}";
        if (!platform.TorchBuildHasCuda)
            throw new UsageException($"--device {id}: this build is TorchSharp-cpu, which has no CUDA. Build with " +
                                     "`dotnet build -c Release -p:TorchBackend=cuda` on the GPU machine (docs/real-models.md, \"GPU builds\"), " +
                                     "or run the table on the CPU with --device cpu.");
        if (!platform.CudaAvailable)
            throw new UsageException($"--device {id}: libtorch finds no CUDA GPU (no NVIDIA driver, or CUDA_VISIBLE_DEVICES hides it): check nvidia-smi.");
        int count = platform.CudaDeviceCount;
        if (index >= count)
            throw new UsageException($"--device {id}: only {count} CUDA device(s) are visible (cuda:0{(count > 1 ? $" to cuda:{count - 1}" : "")}): pick one of them.");
        return new DoctorDevice(id, DeviceKind.Cuda, index, platform.ComputeCapability(index));
    }

    public static string TypeName(ScalarType type) => type switch
    {
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float32 => "float32",
        _ => type.ToString(),
    };
}
