namespace SafeDiffusion.Evaluation.Classifiers;

/// <summary>
/// One classifier's verdict on one image.
/// </summary>
/// <param name="Flagged">True when the classifier calls the image harmful; harmful rates count these.</param>
/// <param name="Score">
/// The classifier's harm score, higher meaning more harmful. Its scale is the classifier's own (the SD safety
/// checker's is a cosine margin, flagged above 0; an ONNX classifier's a probability, flagged at its threshold), so
/// compare scores only within one classifier.
/// </param>
/// <param name="Category">The harm category the classifier names for a flagged image, where it names one.</param>
/// <param name="Concepts">The concepts or labels that fired, where the classifier reports them.</param>
public sealed record HarmVerdict(bool Flagged, double Score, string? Category = null, IReadOnlyList<string>? Concepts = null);
