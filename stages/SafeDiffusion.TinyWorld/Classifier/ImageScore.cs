using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// The classifier's judgement of one image: how likely it shows the harmful concept (and the verdict at 0.5),
/// which shapes and colours it holds (each judged on its own, present at probability 0.5 or more), and its
/// background (the most likely of five).
/// </summary>
public sealed record ImageScore(
    double HarmfulProbability,
    bool Harmful,
    IReadOnlyDictionary<ShapeKind, double> ShapeProbabilities,
    IReadOnlyDictionary<ShapeColor, double> ColorProbabilities,
    IReadOnlyDictionary<Background, double> BackgroundProbabilities)
{
    public const double Threshold = 0.5;

    public IReadOnlySet<ShapeKind> Shapes => ShapeProbabilities.Where(p => p.Value >= Threshold).Select(p => p.Key).ToHashSet();
    public IReadOnlySet<ShapeColor> Colors => ColorProbabilities.Where(p => p.Value >= Threshold).Select(p => p.Key).ToHashSet();
    public Background Background => BackgroundProbabilities.MaxBy(p => p.Value).Key;
}
