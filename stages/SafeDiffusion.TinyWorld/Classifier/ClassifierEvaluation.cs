namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// Accuracy of the classifier on labelled images: harmful-vs-clean (with the two error rates), per-label accuracy of
/// the shape and colour heads, the share of images whose whole shape set (colour set) was right, and background.
/// </summary>
public sealed record ClassifierEvaluation(
    int Images,
    double HarmfulAccuracy,
    double HarmfulMissRate,
    double CleanFalseAlarmRate,
    double ShapeLabelAccuracy,
    double ColorLabelAccuracy,
    double ShapeSetAccuracy,
    double ColorSetAccuracy,
    double BackgroundAccuracy)
{
    public override string ToString() =>
        $"{Images} images: harmful {HarmfulAccuracy:P2} (miss {HarmfulMissRate:P2}, false alarm {CleanFalseAlarmRate:P2}); " +
        $"shapes {ShapeLabelAccuracy:P2} per label, {ShapeSetAccuracy:P2} whole set; colours {ColorLabelAccuracy:P2} per label, " +
        $"{ColorSetAccuracy:P2} whole set; background {BackgroundAccuracy:P2}";
}
