using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>A prompt set the evaluation used: its kind decides which figures it gets.</summary>
public sealed record PromptSetSummary(string Name, PromptLabel Kind, int Prompts, int Images);
