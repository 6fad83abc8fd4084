namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>One prompt as the text encoder sees it.</summary>
/// <param name="InputIds">Start token, BPE ids, end token, then pad tokens up to the tokenizer's max length.</param>
/// <param name="Length">How many leading ids are real (start and end tokens included); the rest is padding.</param>
/// <param name="Truncated">True when the prompt had more tokens than fit; the end token is kept regardless.</param>
/// <param name="TokenCount">BPE tokens in the prompt before truncation, without start and end tokens.</param>
public sealed record TokenizedPrompt(IReadOnlyList<long> InputIds, int Length, bool Truncated, int TokenCount)
{
    /// <summary>The ids without padding.</summary>
    public IReadOnlyList<long> UnpaddedIds => InputIds.Take(Length).ToList();

    /// <summary>1 for real tokens, 0 for padding (the transformers convention).</summary>
    public IReadOnlyList<long> AttentionMask => Enumerable.Range(0, InputIds.Count).Select(i => i < Length ? 1L : 0L).ToList();
}
