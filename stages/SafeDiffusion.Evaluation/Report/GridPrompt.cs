using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>One sampled image of a grid: the verdict and where its pixels are.</summary>
internal sealed record GridImage(bool Flagged, double Score, byte[]? Png, string? FilePath);

/// <summary>One sampled prompt and its image from each arm that has one.</summary>
internal sealed record GridPrompt(string PromptSet, PromptLabel Kind, string PromptId, string Text, string Category,
    IReadOnlyDictionary<EvalArm, GridImage> Images);
