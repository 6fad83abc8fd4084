using SafeDiffusion.Training.Engine;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Benchmarks;

/// <summary>One measurement of <see cref="MemoryBenchmark"/>: a model folder, what runs on it, at which size and batch.</summary>
public sealed record MemoryBenchmarkCase
{
    /// <summary>A diffusers folder; a component without weight files is built at its config's size with random weights.</summary>
    public required string ModelDirectory { get; init; }

    public MemoryBenchmarkTarget Target { get; init; }

    /// <summary>Image side in pixels.</summary>
    public int Size { get; init; } = 512;

    /// <summary>Images per batch (txt2img: prompts, so the UNet sees twice as many with guidance; training: rows).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Denoising steps of a txt2img case; memory does not grow with them, so two (the fewest every scheduler takes) are enough.</summary>
    public int Steps { get; init; } = 2;

    /// <summary>Training: recompute the UNet's blocks in the backward pass.</summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Training: number formats (auto: bf16 mixed on CUDA, float32 on the CPU).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Auto;

    /// <summary>Txt2img: the UNet's and text encoder's dtype (the VAE stays float32 under float16 when its config forces it).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>Txt2img: decode in tiles (<see cref="Diffusion.Pipelines.Txt2ImgOptions.VaeTiling"/>).</summary>
    public bool VaeTiling { get; init; }

    public Device Device { get; init; } = CPU;

    /// <summary>A short name for tables: target, size, batch and the switches that change memory.</summary>
    public string Label => Target switch
    {
        MemoryBenchmarkTarget.Txt2Img => $"txt2img {Size}px batch {Batch}{(VaeTiling ? " tiled" : "")}",
        _ => $"train step {Size}px batch {Batch}{(GradientCheckpointing ? " checkpointed" : "")}",
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Size, 8);
        ArgumentOutOfRangeException.ThrowIfLessThan(Batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1);
    }
}
