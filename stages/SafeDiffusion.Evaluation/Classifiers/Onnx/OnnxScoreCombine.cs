namespace SafeDiffusion.Evaluation.Classifiers.Onnx;

/// <summary>How the harmful labels' probabilities make one harm score.</summary>
public enum OnnxScoreCombine
{
    /// <summary>Their sum: the probability of "some harmful label" when labels exclude one another (softmax heads).</summary>
    Sum,

    /// <summary>Their maximum: the natural choice for independent (sigmoid) labels.</summary>
    Max,
}
