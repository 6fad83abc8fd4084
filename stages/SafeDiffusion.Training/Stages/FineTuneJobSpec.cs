using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;

namespace SafeDiffusion.Training.Stages;

/// <summary>What one fine-tuning run of a stage trains, on what, and where it writes.</summary>
/// <param name="Name">Short name for progress and notes (e.g. "safe (LT)").</param>
/// <param name="Directory">The job's folder: model/, state/, metrics.csv, loss.png.</param>
/// <param name="Variant">The configured weight file variant (<c>variant:</c>, e.g. fp16) of the base model; a folder
/// this project trained holds the plain UNet and its base's files for the rest, which the variant's fallback reads.</param>
internal sealed record FineTuneJobSpec(
    string Name,
    string BaseModel,
    string Directory,
    ITrainingRowSource Rows,
    TrainingDataOptions Data,
    TrainerSettings Trainer,
    ObjectiveSettings Objective,
    FineTuneConfig Config,
    string? Variant)
{
    /// <summary>Steps after which the model is also written, to <see cref="FineTuneJob.SaveFolder"/> (the last step's model is always written).</summary>
    public IReadOnlyList<int> SaveAt { get; init; } = [];
}
