namespace SafeDiffusion.Prompts.Gguf;

/// <summary>The sizes of a llama model as GGUF records them.</summary>
public sealed record LlamaHyperParameters(
    int VocabularySize,
    int EmbeddingLength,
    int BlockCount,
    int FeedForwardLength,
    int HeadCount,
    int HeadCountKv,
    int ContextLength,
    float RmsNormEpsilon = 1e-5f,
    float RopeFreqBase = 10000f)
{
    public int HeadDimension => EmbeddingLength / HeadCount;
}
