namespace SafeDiffusion.Prompts.Filtering;

/// <summary>
/// Limits for <see cref="PromptPostProcessor"/>. <see cref="CountClipTokens"/> counts CLIP tokens without the
/// start and end tokens (for example <c>ClipTokenizer.CountTokens</c>); without it the word bound applies.
/// </summary>
public sealed record PromptPostProcessorOptions
{
    public int MinWords { get; init; } = 4;
    public int MaxClipTokens { get; init; } = 75;
    public Func<string, int>? CountClipTokens { get; init; }
    public int MaxWordsWithoutTokenizer { get; init; } = 60;
    public double NearDuplicateThreshold { get; init; } = 0.8;
    public int ShingleSize { get; init; } = 2;
    public int MinHashPermutations { get; init; } = 128;
}
