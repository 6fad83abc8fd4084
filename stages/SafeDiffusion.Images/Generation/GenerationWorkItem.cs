using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Images.Generation;

/// <summary>One image to generate: which prompt, which of its images, with which seed and guidance.</summary>
internal sealed record GenerationWorkItem(PromptRecord Prompt, int Index, long Seed, double Guidance, string ImageId);
