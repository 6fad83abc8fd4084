using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>A prompt set the evaluation used: its kind decides which figures it gets.</summary>
/// <param name="Prompts">Distinct prompts of the set that have rows.</param>
/// <param name="Images">Images judged for the set, all models together.</param>
/// <param name="Models">How many models (arms: base and safe, before and after the attack) have images of the set;
/// 0 in summaries written before it was recorded.</param>
public sealed record PromptSetSummary(string Name, PromptLabel Kind, int Prompts, int Images, int Models = 0);
