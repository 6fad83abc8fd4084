using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.Prompts.Configuration;

/// <summary>How the writer samples tokens; each request gets its own sampler seeded from <see cref="Seed"/>.</summary>
public sealed record SamplingConfig
{
    [Range(0.0, 5.0)]
    public double Temperature { get; init; } = 0.8;

    [Range(0.01, 1.0)]
    public double TopP { get; init; } = 0.95;

    /// <summary>Candidates kept before top-p; 0 keeps all.</summary>
    [Range(0, 100000)]
    public int TopK { get; init; } = 40;

    /// <summary>Penalty on tokens already in the last <see cref="PenaltyWindow"/> tokens; 1 turns it off.</summary>
    [Range(0.5, 3.0)]
    public double RepeatPenalty { get; init; } = 1.1;

    [Range(0, 4096)]
    public int PenaltyWindow { get; init; } = 64;

    /// <summary>Root of the per-request sampler seeds; null derives it from the run's seed.</summary>
    public long? Seed { get; init; }
}
