namespace SafeDiffusion.Training.Benchmarks;

/// <summary>
/// What a memory case peaked at. <paramref name="PeakResidentBytes"/> is the process's (VmHWM, or the highest
/// resident size sampled while it ran, whichever is larger): on the CPU that is the case's memory, model weights
/// included; a process that ran other work first has that in it too. <paramref name="CudaInUseBytes"/>: the driver's
/// device memory in use after the case (<see cref="Diffusion.Devices.CudaDeviceMemory"/>), null off CUDA.
/// </summary>
public sealed record MemoryBenchmarkResult(
    MemoryBenchmarkCase Case,
    long PeakResidentBytes,
    long? CudaInUseBytes,
    long UnetParameters,
    bool RandomWeights,
    double Seconds);
