namespace SafeDiffusion.Evaluation.Classifiers.Onnx;

/// <summary>What turns the model's output row into per-label probabilities.</summary>
public enum OnnxOutputActivation
{
    /// <summary>The model already outputs probabilities (or the scores are used as they are).</summary>
    None,

    /// <summary>Mutually exclusive labels: softmax over the row.</summary>
    Softmax,

    /// <summary>Independent labels: a sigmoid per value.</summary>
    Sigmoid,
}
