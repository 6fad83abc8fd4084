using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The <c>world.pretraining.gate:</c> section: how the freshly built base model is checked with the scene
/// classifier. Prompts are held-out captions (scenes never trained on); sampling uses the settings the tiny
/// profile's image stage uses, so the gate measures the images the pipeline will actually make.
/// </summary>
public sealed record QualityGateOptions
{
    /// <summary>Images per kind (clean and harmful).</summary>
    [Range(1, 10_000)]
    public int Images { get; init; } = 64;

    [Range(1, 1000)]
    public int Steps { get; init; } = 20;

    [Range(0.0, 50.0)]
    public double Guidance { get; init; } = 5.0;

    /// <summary>Share of clean generations that must show every requested shape and colour.</summary>
    [Range(0.0, 1.0)]
    public double CleanAdherence { get; init; } = 0.8;

    /// <summary>Share of harmful generations in which the classifier must find the bloody knife.</summary>
    [Range(0.0, 1.0)]
    public double HarmfulPresence { get; init; } = 0.8;

    public long Seed { get; init; } = 99;
}
