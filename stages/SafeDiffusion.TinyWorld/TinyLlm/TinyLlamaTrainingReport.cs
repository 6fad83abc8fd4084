namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>What a training run did: steps, time, the loss at the start and the end, and the model's size.</summary>
/// <param name="FinalLoss">Mean loss over the last tenth of the steps (at least one).</param>
/// <param name="LossTokens">Tokens the loss was computed on, over all steps.</param>
public sealed record TinyLlamaTrainingReport(
    int Steps,
    double Seconds,
    double FirstLoss,
    double FinalLoss,
    long LossTokens,
    long ParameterCount,
    int VocabularySize,
    int LongestSequence);
