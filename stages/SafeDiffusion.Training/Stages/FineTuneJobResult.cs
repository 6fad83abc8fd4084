using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Stages;

/// <summary>A finished job: the model folder it wrote and its last step's numbers.</summary>
internal sealed record FineTuneJobResult(string ModelDirectory, StepMetrics? Last, double StepsPerSecond, int ResumedAt);
