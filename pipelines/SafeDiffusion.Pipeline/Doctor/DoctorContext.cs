using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>What every doctor check runs against: the device, the parity sets, and the size of the timed runs.</summary>
internal sealed record DoctorContext
{
    public required DoctorDevice Device { get; init; }

    /// <summary>The folder holding the sd-parity sets (<c>tiny-sd1/</c>, <c>tiny-sd2/</c>, each with <c>model/</c> and <c>cases/</c>).</summary>
    public required string ParitySets { get; init; }

    /// <summary>Image side of the full-size timings in pixels: 512 as SD 1.4 is run; smaller only to make a CPU run short.</summary>
    public int Size { get; init; } = 512;

    /// <summary>Denoising steps of the txt2img timing.</summary>
    public int Steps { get; init; } = 20;

    public int Warmup { get; init; } = 1;
    public int Iterations { get; init; } = 3;

    /// <summary>The smallest side the SD UNet takes: its latent (side / 8) must halve three times.</summary>
    public const int SizeMultiple = 64;

    /// <exception cref="UsageException">A size, step or iteration count the runs cannot take.</exception>
    public void Validate()
    {
        if (Size < SizeMultiple || Size % SizeMultiple != 0)
            throw new UsageException($"--size {Size}: must be a positive multiple of {SizeMultiple} (the SD UNet halves the latent, side / 8, three times).");
        if (Steps < 1) throw new UsageException($"--steps {Steps}: must be at least 1.");
        if (Warmup < 0) throw new UsageException($"--warmup {Warmup}: must be 0 or more.");
        if (Iterations < 1) throw new UsageException($"--iterations {Iterations}: must be at least 1.");
    }
}
