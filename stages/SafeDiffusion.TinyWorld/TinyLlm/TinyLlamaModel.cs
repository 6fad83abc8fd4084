using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.TinyWorld.TinyLlm.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// A trained tiny writer model: the TorchSharp llama, its vocabulary, the recipe it was trained with, and what
/// training reported. <see cref="ExportGguf"/> writes it for llama.cpp; <see cref="Logits"/> runs it here, so the
/// two can be compared.
/// </summary>
public sealed class TinyLlamaModel : IDisposable
{
    internal TinyLlamaModel(LlamaForCausalLM module, TinyLlamaVocabulary vocabulary, TinyLlamaTrainingOptions options,
        TinyLlamaTrainingReport report, string recipeKey)
    {
        Module = module;
        Vocabulary = vocabulary;
        Options = options;
        Report = report;
        RecipeKey = recipeKey;
    }

    public LlamaForCausalLM Module { get; }
    public TinyLlamaVocabulary Vocabulary { get; }
    public TinyLlamaTrainingOptions Options { get; }
    public TinyLlamaTrainingReport Report { get; }

    /// <summary><see cref="TinyLlamaRecipe.Key"/> of the corpus and options it was trained from.</summary>
    public string RecipeKey { get; }

    public LlamaHyperParameters HyperParameters => Module.HyperParameters;

    /// <summary>Key under which an exported file records <see cref="RecipeKey"/>.</summary>
    public const string RecipeMetadataKey = "safediffusion.tiny_llm.recipe";

    /// <summary>
    /// Writes the model as a GGUF (atomically), with its tokenizer, ChatML template and recipe key, then checks
    /// it with <see cref="GgufValidator.ValidateForTextGeneration"/>.
    /// </summary>
    public GgufModelSummary ExportGguf(string path, TinyLlamaGgufMetadata? metadata = null)
    {
        metadata ??= new TinyLlamaGgufMetadata();
        if (metadata.Extra.ContainsKey(RecipeMetadataKey))
            throw new ArgumentException($"'{RecipeMetadataKey}' is written by the exporter.", nameof(metadata));
        var extra = new Dictionary<string, string>(metadata.Extra) { [RecipeMetadataKey] = RecipeKey };
        LlamaGgufExporter.CreateWriter(Module, Vocabulary, metadata with { Extra = extra }).Write(path);
        return GgufValidator.ValidateForTextGeneration(path);
    }

    /// <summary>Next-token logits <c>[position][token]</c> for one sequence of token ids starting at position 0.</summary>
    public float[][] Logits(IReadOnlyList<int> tokens)
    {
        if (tokens.Count == 0) throw new ArgumentException("No tokens given.", nameof(tokens));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Count], ScalarType.Int64);
        var logits = Module.forward(ids)[0].contiguous();
        var flat = logits.data<float>().ToArray();
        var v = HyperParameters.VocabularySize;
        return Enumerable.Range(0, tokens.Count).Select(t => flat.AsSpan(t * v, v).ToArray()).ToArray();
    }

    public void Dispose() => Module.Dispose();
}
