using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>Sizes and switches of a <see cref="TinyLlamaGguf"/> model.</summary>
public sealed record TinyLlamaOptions
{
    public string Name { get; init; } = "tiny-llama";
    public int EmbeddingLength { get; init; } = 64;
    public int BlockCount { get; init; } = 2;
    public int HeadCount { get; init; } = 4;
    public int HeadCountKv { get; init; } = 2;
    public int FeedForwardLength { get; init; } = 128;
    public int ContextLength { get; init; } = 4096;
    public ulong Seed { get; init; } = 1;
    public uint Alignment { get; init; } = GgufFormat.DefaultAlignment;

    /// <summary>Storage type of the matrices (norm vectors are always F32).</summary>
    public GgmlType MatrixType { get; init; } = GgmlType.F32;

    /// <summary>The chat template to store; null leaves <c>tokenizer.chat_template</c> out.</summary>
    public string? ChatTemplate { get; init; } = TinyLlamaGguf.ChatMlTemplate;

    /// <summary>False writes no tokenizer metadata (a broken model, for tests of the validator).</summary>
    public bool IncludeTokenizer { get; init; } = true;

    /// <summary>The vocabulary's words; null uses <see cref="TinyLlamaGguf.DefaultWords"/>.</summary>
    public IReadOnlyList<string>? Words { get; init; }

    /// <summary>Logit bias (in units of the dominant dimension) of the closing quote relative to whole words at 1.</summary>
    public float StringEndBias { get; init; } = 1.15f;
}
