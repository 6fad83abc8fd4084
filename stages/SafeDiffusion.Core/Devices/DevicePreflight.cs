using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Devices;

/// <summary>What the stages about to run will ask of the devices.</summary>
/// <param name="Devices">The configured devices.</param>
/// <param name="BFloat16Settings">Config keys that ask for bfloat16 on a GPU (e.g. <c>models.base.dtype</c>).</param>
/// <param name="LlmOffloadsToGpu">The LLM stage runs with GPU layers on a CUDA lease.</param>
public sealed record PreflightRequest(IReadOnlyList<DeviceSpec> Devices, IReadOnlyList<string> BFloat16Settings, bool LlmOffloadsToGpu);

/// <summary>
/// Checks, before any stage runs, that every configured device exists in this build and on this machine, so that a
/// CPU build given <c>cuda:0</c> stops at once instead of running the LLM on the CPU for hours and failing at the
/// images stage. Each problem names the device or setting and the fix.
/// </summary>
public static class DevicePreflight
{
    /// <summary>Where the GPU build and what it needs installed are described.</summary>
    public const string Guide = "README, \"Bring real models and a GPU\"";

    /// <summary>bfloat16 arithmetic needs compute capability 8.0 (Ampere) or newer.</summary>
    public const int BFloat16MinimumMajor = 8;

    public static IReadOnlyList<string> Problems(PreflightRequest request, IDevicePlatform platform)
    {
        var cuda = request.Devices.Where(d => d.Kind == DeviceKind.Cuda).ToList();
        if (cuda.Count == 0) return [];
        var ids = string.Join(", ", cuda.Select(d => d.Id));
        if (!platform.TorchBuildHasCuda)
            return [$"devices: {ids} but this build is TorchSharp-cpu: build with -p:TorchBackend=cuda -p:LlamaBackend=cuda12 (see {Guide}), or use devices: [cpu]."];
        if (!platform.CudaAvailable)
            return [$"devices: {ids} but libtorch finds no CUDA GPU (no NVIDIA driver, or CUDA_VISIBLE_DEVICES hides it): check nvidia-smi, or use devices: [cpu]."];

        var problems = new List<string>();
        int count = platform.CudaDeviceCount;
        foreach (var device in cuda.Where(d => d.Index >= count))
            problems.Add($"devices: {device.Id} but only {count} CUDA device(s) are visible (cuda:0{(count > 1 ? $" to cuda:{count - 1}" : "")}): fix devices: in the config or CUDA_VISIBLE_DEVICES.");
        if (request.BFloat16Settings.Count > 0)
            foreach (var device in cuda.Where(d => d.Index < count))
                if (platform.ComputeCapability(device.Index) is { } cc && cc.Major < BFloat16MinimumMajor)
                    problems.Add($"{string.Join(", ", request.BFloat16Settings)} ask(s) for bfloat16 but {device.Id} has compute capability {cc.Major}.{cc.Minor} " +
                                 $"(bfloat16 needs {BFloat16MinimumMajor}.0+): use float16 for model dtypes and float32 for training precision.");
        if (request.LlmOffloadsToGpu)
        {
            if (!platform.LlamaBuildHasCuda)
                problems.Add($"devices: {ids} gives the LLM a GPU but this build's LLamaSharp back end is CPU-only: build with -p:LlamaBackend=cuda12 (see {Guide}), or set stages.harmful-prompts.gpuLayers: 0.");
            else if (platform.MissingCudaRuntimeLibraries is { Count: > 0 } missing)
                problems.Add($"the LLM's CUDA back end needs the CUDA 12 runtime, and {string.Join(", ", missing)} cannot be loaded: install the CUDA 12 runtime and cuBLAS (see {Guide}) or add their folder to LD_LIBRARY_PATH.");
            else if (!platform.LlamaSupportsGpuOffload)
                problems.Add($"devices: {ids} gives the LLM a GPU but llama.cpp's native library reports no GPU offload: rebuild with -p:LlamaBackend=cuda12 (see {Guide}).");
        }
        return problems;
    }

    /// <exception cref="UsageException">Any problem, all of them in one message (exit code 2).</exception>
    public static void ThrowIfAny(PreflightRequest request, IDevicePlatform platform)
    {
        var problems = Problems(request, platform);
        if (problems.Count == 1) throw new UsageException($"Preflight: {problems[0]}");
        if (problems.Count > 1) throw new UsageException("Preflight found " + problems.Count + " problems:\n" + string.Join("\n", problems.Select(p => "  " + p)));
    }
}
