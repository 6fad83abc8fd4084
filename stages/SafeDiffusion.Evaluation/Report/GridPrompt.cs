using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>One sampled prompt and its image from each arm that has one.</summary>
internal sealed record GridPrompt(string PromptSet, PromptLabel Kind, string PromptId, string Text, string Category,
    IReadOnlyDictionary<EvalArm, GridImage> Images);
