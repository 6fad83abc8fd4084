namespace SafeDiffusion.Prompts.Gguf;

/// <summary>What <see cref="GgufValidator"/> learned about a model file it accepted.</summary>
public sealed record GgufModelSummary(
    string Path,
    uint Version,
    string Architecture,
    string TokenizerModel,
    int VocabularySize,
    long ContextLength,
    long EmbeddingLength,
    long BlockCount,
    string? ChatTemplate,
    int TensorCount,
    long FileLength);
