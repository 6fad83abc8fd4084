namespace SafeDiffusion.Training.Benchmarks;

/// <summary>
/// What a memory case peaked at. <paramref name="PeakResidentBytes"/> is the process's (VmHWM, or the highest
/// resident size sampled while it ran, whichever is larger): on the CPU that is the case's memory, model weights
/// included; a process that ran other work first has that in it too. <paramref name="CudaInUseBytes"/>: the driver's
/// device memory in use after the case (<see cref="Diffusion.Devices.CudaDeviceMemory"/>), null off CUDA. For a txt2img
/// case the peak is the batch's sampling and decoding, measured after <see cref="DecodePeakBytes"/>.
/// </summary>
public sealed record MemoryBenchmarkResult(
    MemoryBenchmarkCase Case,
    long PeakResidentBytes,
    long? CudaInUseBytes,
    long UnetParameters,
    bool RandomWeights,
    double Seconds)
{
    /// <summary>Resident bytes once the models were loaded (training: assembled, before the optimizer's state exists).</summary>
    public long ModelsResidentBytes { get; init; }

    /// <summary>Txt2img: the peak while the VAE decoded one image's latents alone, before the batch ran; null for training.</summary>
    public long? DecodePeakBytes { get; init; }
}
