using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// The recipe of a tiny writer model: its sizes (a llama of a few blocks), and how it is trained (AdamW with
/// linear warm-up and cosine decay, cross-entropy on the answer tokens, a fixed number of steps, one seed for
/// both the initial weights and the order of the data). A cache of trained models can key on this record with
/// the corpus (<see cref="TinyLlamaRecipe.Key"/>).
/// </summary>
public sealed record TinyLlamaTrainingOptions : IValidatableConfig
{
    [Range(1, 64)]
    public int BlockCount { get; init; } = 2;

    [Range(8, 4096)]
    public int EmbeddingLength { get; init; } = 64;

    [Range(1, 64)]
    public int HeadCount { get; init; } = 4;

    /// <summary>Key/value heads; fewer than <see cref="HeadCount"/> gives grouped-query attention.</summary>
    [Range(1, 64)]
    public int HeadCountKv { get; init; } = 2;

    [Range(8, 16384)]
    public int FeedForwardLength { get; init; } = 192;

    /// <summary>Longest training sequence (prompt and answer), and the context length the GGUF records.</summary>
    [Range(16, 8192)]
    public int ContextLength { get; init; } = 256;

    [Range(1e-8, 1e-2)]
    public double RmsNormEpsilon { get; init; } = 1e-5;

    [Range(1.0, 1e7)]
    public double RopeFreqBase { get; init; } = 10000;

    [Range(1, 1_000_000)]
    public int Steps { get; init; } = 300;

    /// <summary>Sequences (one request and its answer each) per step.</summary>
    [Range(1, 1024)]
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate, reached after <see cref="WarmupSteps"/>.</summary>
    [Range(1e-6, 1.0)]
    public double LearningRate { get; init; } = 4e-3;

    /// <summary>The learning rate at the last step, as a fraction of the peak (cosine decay).</summary>
    [Range(0.0, 1.0)]
    public double FinalLearningRateRatio { get; init; } = 0.1;

    [Range(0, 1_000_000)]
    public int WarmupSteps { get; init; } = 20;

    /// <summary>AdamW's decoupled weight decay, applied to matrices only (not to norm weights).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 0.01;

    [Range(0.0, 1.0)]
    public double Beta1 { get; init; } = 0.9;

    [Range(0.0, 1.0)]
    public double Beta2 { get; init; } = 0.98;

    /// <summary>Gradients are clipped to this global norm; 0 turns clipping off.</summary>
    [Range(0.0, 1e6)]
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>Standard deviation of the initial matrix and embedding weights (transformers' initializer_range).</summary>
    [Range(1e-4, 1.0)]
    public double InitStd { get; init; } = 0.02;

    /// <summary>True trains on the answer tokens only; false also on the prompt (the instruction in its chat turn).</summary>
    public bool LossOnAnswerOnly { get; init; } = true;

    public long Seed { get; init; } = 1;

    /// <summary>
    /// libtorch intra-op threads while training; 0 leaves libtorch's setting alone. The setting is process-wide
    /// in libtorch, so the trainer sets it for the run and restores it afterwards. One thread is about as fast
    /// as two for matrices this small, and immune to OpenMP threads spin-waiting on each other when other
    /// processes share the cores, which can make two threads several times slower than one (docs/lab-notebook.md).
    /// </summary>
    [Range(0, 1024)]
    public int Threads { get; init; } = 1;

    /// <summary>The model's sizes for a vocabulary of <paramref name="vocabularySize"/> tokens.</summary>
    public LlamaHyperParameters HyperParameters(int vocabularySize) => new(vocabularySize, EmbeddingLength, BlockCount,
        FeedForwardLength, HeadCount, HeadCountKv, ContextLength, (float)RmsNormEpsilon, (float)RopeFreqBase);

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (EmbeddingLength % HeadCount != 0)
            yield return ("embeddingLength", $"must be a multiple of headCount ({HeadCount}).");
        else if (EmbeddingLength / HeadCount % 2 != 0)
            yield return ("embeddingLength", $"gives heads of {EmbeddingLength / HeadCount} dimensions; rotary embedding needs an even head size.");
        if (HeadCount % HeadCountKv != 0)
            yield return ("headCountKv", $"must divide headCount ({HeadCount}).");
        if (WarmupSteps >= Steps)
            yield return ("warmupSteps", $"must be below steps ({Steps}).");
    }
}
