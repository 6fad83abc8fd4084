namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// How a trained classifier was made and how well it does, saved beside its weights (<c>metrics.json</c>):
/// accuracy on held-out renders as drawn and after a fixed blur and noise, and the training time: wall seconds
/// (rendering and training) and the process's CPU seconds meanwhile, which on a machine shared with other work
/// says what the wall time would be on idle cores (about CPU seconds / threads).
/// </summary>
public sealed record ClassifierReport(ClassifierEvaluation Holdout, ClassifierEvaluation HoldoutDegraded, double TrainingSeconds, double TrainingCpuSeconds,
    int TrainImages, int Epochs, int Threads);
