using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Stages;

/// <summary>A finished job: the model folder it wrote and its last step's numbers.</summary>
internal sealed record FineTuneJobResult(string ModelDirectory, StepMetrics? Last, double StepsPerSecond, int ResumedAt)
{
    /// <summary>The models the job saved, by step, ascending: each asked-for step, and the last step's (<see cref="ModelDirectory"/>).</summary>
    public IReadOnlyList<(int Step, string Directory)> Saves { get; init; } = [];
}
