using SafeDiffusion.Core.Errors;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// <c>config.json</c> of a saved scene classifier: the architecture tag, the input size it was trained at, the
/// feature width, and the label order of each head (so a reader knows which logit is which).
/// </summary>
public sealed record SceneClassifierConfig
{
    public const string ArchitectureName = "TinyWorldSceneClassifier";

    public string Architecture { get; init; } = ArchitectureName;
    public int ImageSize { get; init; } = 32;
    public int FeatureDim { get; init; } = SceneClassifierNet.FeatureDimension;
    public IReadOnlyList<string> Shapes { get; init; } = Enum.GetNames<ShapeKind>().Select(n => n.ToLowerInvariant()).ToList();
    public IReadOnlyList<string> Colors { get; init; } = Enum.GetNames<ShapeColor>().Select(n => n.ToLowerInvariant()).ToList();
    public IReadOnlyList<string> Backgrounds { get; init; } = Enum.GetNames<Background>().Select(n => n.ToLowerInvariant()).ToList();
    public int RecipeVersion { get; init; }

    public void Validate(string path)
    {
        if (Architecture != ArchitectureName)
            throw new InputDataException(path, $"describes a '{Architecture}', not a {ArchitectureName}.", "architecture", "Point at a folder the tiny world's classifier saved.");
        if (ImageSize is < 16 or > 256) throw new InputDataException(path, $"image_size {ImageSize} is outside 16..256.", "image_size");
        if (FeatureDim != SceneClassifierNet.FeatureDimension)
            throw new InputDataException(path, $"feature_dim {FeatureDim} differs from this build's {SceneClassifierNet.FeatureDimension}.", "feature_dim", "Retrain the classifier with this version.");
        var expected = new SceneClassifierConfig();
        if (!Shapes.SequenceEqual(expected.Shapes) || !Colors.SequenceEqual(expected.Colors) || !Backgrounds.SequenceEqual(expected.Backgrounds))
            throw new InputDataException(path, "lists labels in another order than this build's world.", "shapes/colors/backgrounds", "Retrain the classifier with this version.");
    }
}
