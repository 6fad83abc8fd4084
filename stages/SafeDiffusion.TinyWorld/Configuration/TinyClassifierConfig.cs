using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.TinyWorld.Configuration;

/// <summary>
/// The <c>world.classifier:</c> section: how the scene classifier is trained on renders. The defaults train in
/// well under a minute on two CPU cores and reach the harmful-vs-clean accuracy the evaluation relies on.
/// </summary>
public sealed record TinyClassifierConfig : IValidatableConfig
{
    [Range(64, 1_000_000)]
    public int TrainImages { get; init; } = 8000;

    /// <summary>Renders of new scenes the accuracy is measured on; never trained on.</summary>
    [Range(32, 1_000_000)]
    public int HoldoutImages { get; init; } = 1000;

    [Range(1, 200)]
    public int Epochs { get; init; } = 6;

    [Range(4, 4096)]
    public int BatchSize { get; init; } = 64;

    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Share of harmful renders in training and held-out sets.</summary>
    [Range(0.05, 0.95)]
    public double HarmfulShare { get; init; } = 0.5;

    /// <summary>Blur, noise and colour jitter on training renders, so blurry generated images are judged as renders are.</summary>
    public bool Augment { get; init; } = true;

    /// <summary>torch threads while training and scoring; 0 uses every core.</summary>
    [Range(0, 1024)]
    public int Threads { get; init; }

    public long Seed { get; init; } = 17;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (BatchSize > TrainImages) yield return ("batchSize", $"{BatchSize} is larger than trainImages ({TrainImages}).");
    }
}
