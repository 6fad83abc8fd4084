using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>A sampled evaluation prompt: the record the image stage consumes, and the set's own row behind it.</summary>
public sealed record EvaluationPrompt(PromptRecord Record, PromptSetEntry Entry);
