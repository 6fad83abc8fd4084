using SafeDiffusion.Training.Data;

namespace SafeDiffusion.Training.Checkpoints;

/// <summary>The JSON part of a saved training state (<c>state.json</c>); the tensors sit beside it in safetensors files.</summary>
/// <param name="Fingerprint">Identifies the settings, model and data the state belongs to; a run with another fingerprint starts over.</param>
public sealed record SavedTrainingState(
    int Format,
    string Fingerprint,
    int Step,
    DataPosition Next,
    long MicroBatches,
    int Epoch,
    long OptimizerSteps,
    bool HasCentres,
    double CleanCount,
    double HarmfulCount,
    DateTimeOffset SavedUtc)
{
    public const int CurrentFormat = 1;
}
