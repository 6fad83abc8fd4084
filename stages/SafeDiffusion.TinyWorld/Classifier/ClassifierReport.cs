namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// How a trained classifier was made and how well it does, saved beside its weights (<c>metrics.json</c>):
/// accuracy on held-out renders as drawn and after a fixed blur and noise, and the training time.
/// </summary>
public sealed record ClassifierReport(ClassifierEvaluation Holdout, ClassifierEvaluation HoldoutDegraded, double TrainingSeconds, int TrainImages, int Epochs, int Threads);
