namespace SafeDiffusion.Core.Contracts;

/// <summary>
/// The training dataset is complete: images rows (ImagesSchema Parquet parts) split into train and holdout folders.
/// Message from the dataset stage to safety training.
/// </summary>
public sealed record DatasetReady(
    string TrainDirectory,
    string HoldoutDirectory,
    long CleanTrainRows,
    long HarmfulTrainRows,
    long HoldoutRows);
