namespace SafeDiffusion.Prompts.Writer;

/// <summary>A snapshot of a running <see cref="HarmfulPromptRun"/>.</summary>
public sealed record HarmfulPromptProgress(
    int RequestsPlanned,
    int RequestsStarted,
    int RequestsCompleted,
    long GeneratedTokens,
    int PromptsEmitted,
    bool Finished);
