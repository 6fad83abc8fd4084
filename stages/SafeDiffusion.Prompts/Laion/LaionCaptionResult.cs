using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Prompts.Laion;

/// <summary>The sampled clean prompts and the filter counts behind them.</summary>
public sealed record LaionCaptionResult(IReadOnlyList<PromptRecord> Prompts, LaionFilterCounts Counts, IReadOnlyList<string> Files);
