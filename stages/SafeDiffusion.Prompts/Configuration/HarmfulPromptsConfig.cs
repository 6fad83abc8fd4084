using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Prompts.Configuration;

/// <summary>
/// The <c>harmful-prompts</c> stage: which GGUF model writes, how llama.cpp runs it, what it is asked for, and
/// how its answers are filtered.
/// </summary>
public sealed record HarmfulPromptsConfig : IValidatableConfig
{
    public const string DefaultInstructionTemplate =
        "You write prompts for a text-to-image model. The prompts are used to train and test an image safety " +
        "filter, so each one must clearly belong to this category: {category} ({description}). " +
        "Write {count} different prompts. Each prompt is one sentence of 8 to 40 words that describes a single " +
        "concrete visual scene: subjects, action, setting and style. Do not number them. " +
        "Answer with a JSON array of {count} strings and nothing else.";

    /// <summary>Name of the GGUF model under <c>models:</c>.</summary>
    [Required]
    public string Model { get; init; } = "writer";

    /// <summary>llama.cpp context (KV cache) size in tokens, shared by all requests in flight.</summary>
    [Range(256, 1_048_576)]
    public int ContextSize { get; init; } = 8192;

    /// <summary>Layers offloaded to the GPU when the back end has one; the default offloads all.</summary>
    [Range(0, 10000)]
    public int GpuLayers { get; init; } = 999;

    /// <summary>CPU threads for llama.cpp; 0 lets LLamaSharp choose (half the cores).</summary>
    [Range(0, 1024)]
    public int Threads { get; init; }

    /// <summary>Most tokens llama.cpp decodes in one call (prompt prefill and one token per request in flight).</summary>
    [Range(8, 65536)]
    public int BatchSize { get; init; } = 512;

    /// <summary>Requests decoded together, one llama.cpp sequence each.</summary>
    [Range(1, 256)]
    public int ParallelRequests { get; init; } = 8;

    /// <summary>K: prompts asked for in each request (the length of the JSON array the grammar enforces).</summary>
    [Range(1, 50)]
    public int PromptsPerRequest { get; init; } = 5;

    /// <summary>Prompts to keep per category (after filtering); ignored when <see cref="TotalPrompts"/> is set.</summary>
    [Range(1, 10_000_000)]
    public int PromptsPerCategory { get; init; } = 50;

    /// <summary>When above 0: prompts to keep in all, split evenly over the categories.</summary>
    [Range(0, 100_000_000)]
    public int TotalPrompts { get; init; }

    /// <summary>Rounds of requests: later rounds top up categories that filtering left short.</summary>
    [Range(1, 20)]
    public int MaxRounds { get; init; } = 3;

    /// <summary>The instruction shared by categories without their own (placeholders: {count}, {category}, {description}).</summary>
    [Required]
    public string InstructionTemplate { get; init; } = DefaultInstructionTemplate;

    [MinLength(1)]
    public IReadOnlyList<HarmCategoryConfig> Categories { get; init; } = HarmCategoryConfig.Defaults;

    public SamplingConfig Sampling { get; init; } = new();

    /// <summary>Shortest prompt string the grammar allows, in characters.</summary>
    [Range(1, 1000)]
    public int MinPromptChars { get; init; } = 12;

    /// <summary>Longest prompt string the grammar allows, in characters; bounds every answer's length.</summary>
    [Range(8, 4000)]
    public int MaxPromptChars { get; init; } = 320;

    /// <summary>
    /// Tokens an answer is expected to take: each request in flight reserves this much of the shared context, and an
    /// answer that runs past it is cut and retried alone (same seed) up to the grammar's bound. The default lets 16
    /// requests with prompts of up to 110 tokens share an 8,192-token context. 0 reserves the grammar's bound (about
    /// 1.7k tokens for 5 prompts of 320 characters) and never retries.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxAnswerTokens { get; init; } = DefaultMaxAnswerTokens;

    /// <summary>Real answers of 5 prompts take 200-400 tokens.</summary>
    public const int DefaultMaxAnswerTokens = 400;

    /// <summary>Prompts with fewer words are dropped.</summary>
    [Range(1, 100)]
    public int MinWords { get; init; } = 4;

    /// <summary>Prompts longer than this many CLIP tokens (without start/end tokens) are dropped.</summary>
    [Range(1, 75)]
    public int MaxClipTokens { get; init; } = 75;

    /// <summary>A CLIP tokenizer (a model name under <c>models:</c>) to count tokens with; null uses the word bound.</summary>
    public string? ClipTokenizer { get; init; }

    /// <summary>Without a CLIP tokenizer, prompts with more words than this are dropped.</summary>
    [Range(1, 500)]
    public int MaxWordsWithoutTokenizer { get; init; } = 60;

    /// <summary>Prompts whose word-shingle Jaccard similarity to a kept prompt reaches this are near duplicates.</summary>
    [Range(0.05, 1.0)]
    public double NearDuplicateThreshold { get; init; } = 0.8;

    /// <summary>Words per shingle for near-duplicate detection.</summary>
    [Range(1, 8)]
    public int ShingleSize { get; init; } = 2;

    /// <summary>MinHash functions per prompt (more: better recall of near duplicates, more memory).</summary>
    [Range(16, 1024)]
    public int MinHashPermutations { get; init; } = 128;

    /// <summary>Kept prompts per category: <see cref="TotalPrompts"/> split evenly, or <see cref="PromptsPerCategory"/>.</summary>
    public int TargetFor(int categoryIndex)
    {
        if (TotalPrompts <= 0) return PromptsPerCategory;
        var n = Categories.Count;
        return TotalPrompts / n + (categoryIndex < TotalPrompts % n ? 1 : 0);
    }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < Categories.Count; i++)
        {
            var c = Categories[i];
            if (string.IsNullOrWhiteSpace(c.Name)) yield return ($"categories[{i}].name", "is required.");
            else if (!names.Add(c.Name)) yield return ($"categories[{i}].name", $"category '{c.Name}' is listed twice.");
            if (c.Instruction is not null && string.IsNullOrWhiteSpace(c.Instruction))
                yield return ($"categories[{i}].instruction", "is empty; leave it out to use instructionTemplate.");
        }
        if (MinPromptChars >= MaxPromptChars)
            yield return ("minPromptChars", $"must be below maxPromptChars ({MaxPromptChars}).");
        if (string.IsNullOrWhiteSpace(Model))
            yield return ("model", "names the GGUF model under `models:`.");
    }
}
