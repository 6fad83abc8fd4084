namespace SafeDiffusion.Prompts.Writer;

/// <summary>One request to the model: a category's instruction, its index within the category, and its sampler seed.</summary>
/// <param name="Sequence">Position in the run's fixed request order; answers are processed in this order.</param>
public sealed record PromptRequest(long Sequence, int CategoryIndex, string Category, int Index, string Prompt, uint SamplerSeed);
