using SafeDiffusion.Core.Randomness;
using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// Builds a tiny llama-architecture GGUF with <see cref="GgufWriter"/>: a few blocks of tiny dimensions, a
/// whole-word SPM vocabulary, a ChatML chat template, and simple seeded weights. llama.cpp loads it like any
/// model, so the prompt writer runs end to end on a CPU in milliseconds per token.
/// </summary>
/// <remarks>
/// The weights are random except for one direction: every token embedding has 1 in dimension 0, and row
/// <c>t</c> of the output matrix has a bias in dimension 0 that favours whole words over word prefixes, single
/// characters and bytes. After the final RMS norm that dimension dominates, so sampled text is a sequence of
/// whole words rather than fragments; the string-closing quote gets a bias of its own so that prompts end at a
/// plausible length. Nothing here is trained: the output is word salad, which is all the tests need.
/// </remarks>
public static class TinyLlamaGguf
{
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static readonly IReadOnlyList<string> ChatMlControlTokens = ["<|im_start|>", "<|im_end|>"];

    /// <summary>The words of the default vocabulary: things, places, actions and qualities an image prompt names.</summary>
    public static readonly IReadOnlyList<string> DefaultWords =
    [
        "a", "an", "the", "of", "in", "on", "with", "and", "at", "by", "near", "under", "over", "behind", "through",
        "man", "woman", "person", "people", "crowd", "child", "soldier", "police", "officer", "group", "figure",
        "street", "city", "alley", "building", "room", "forest", "field", "road", "bridge", "river", "market", "night",
        "fire", "smoke", "blood", "knife", "gun", "weapon", "car", "window", "door", "wall", "sign", "flag", "poster",
        "angry", "dark", "violent", "bloody", "burning", "broken", "scary", "grim", "graphic", "cruel", "hostile",
        "fight", "attack", "protest", "riot", "chase", "threat", "insult", "crime", "theft", "explosion", "injury",
        "holding", "running", "shouting", "hitting", "falling", "crying", "screaming", "standing", "walking", "fighting",
        "photo", "painting", "illustration", "drawing", "render", "portrait", "scene", "closeup", "cinematic",
        "realistic", "detailed", "dramatic", "lighting", "style", "shot", "view", "digital", "art", "film", "still",
        "red", "black", "white", "grey", "cold", "wet", "old", "young", "large", "small", "empty", "crowded",
    ];

    /// <summary>Builds the model in memory; call <see cref="GgufWriter.Write"/> on the result.</summary>
    public static GgufWriter Create(TinyLlamaOptions? options = null)
    {
        options ??= new TinyLlamaOptions();
        var words = options.Words ?? DefaultWords;
        var vocabulary = SpmVocabulary.ForWords(words, ChatMlControlTokens);
        var p = new LlamaHyperParameters(vocabulary.Count, options.EmbeddingLength, options.BlockCount,
            options.FeedForwardLength, options.HeadCount, options.HeadCountKv, options.ContextLength);

        var writer = new GgufWriter(options.Alignment);
        LlamaGgufLayout.AddHyperParameters(writer, p);
        writer.Add(LlamaGgufLayout.NameKey, options.Name);
        writer.Add("general.file_type", GgufValue.UInt32(options.MatrixType == GgmlType.F16 ? 1u : 0u));
        if (options.IncludeTokenizer) vocabulary.AddTo(writer);
        if (options.ChatTemplate is { } template) writer.Add(LlamaGgufLayout.ChatTemplateKey, template);

        var random = new SeededGaussian(options.Seed);
        var wordSet = words.ToHashSet(StringComparer.Ordinal);
        var quote = vocabulary.Tokens.ToList().IndexOf("\"");
        int e = p.EmbeddingLength, v = p.VocabularySize;

        var embedding = random.Fill(v * e, 0.05f);
        for (int t = 0; t < v; t++) embedding[t * e] = 1f;
        writer.AddTensor(LlamaGgufLayout.TokenEmbedding, embedding, [v, e], options.MatrixType);

        foreach (var (name, shape) in LlamaGgufLayout.ExpectedTensors(p))
        {
            if (name is LlamaGgufLayout.TokenEmbedding or LlamaGgufLayout.Output) continue;
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            // Norm weights are vectors and stay F32, as in every llama.cpp conversion.
            if (shape.Length == 1) writer.AddTensor(name, Enumerable.Repeat(1f, count).ToArray(), shape);
            else writer.AddTensor(name, random.Fill(count, 0.02f), shape, options.MatrixType);
        }

        var output = random.Fill(v * e, 0.3f);
        for (int t = 0; t < v; t++)
        {
            output[t * e] = t == quote ? options.StringEndBias
                : vocabulary.IsWholeWord(t, wordSet) ? 1f
                : vocabulary.Tokens[t] is "," or "[" or "]" ? 0f
                : -1f;
        }
        writer.AddTensor(LlamaGgufLayout.Output, output, [v, e], options.MatrixType);
        return writer;
    }

    public static void Write(string path, TinyLlamaOptions? options = null) => Create(options).Write(path);

    /// <summary>Normal draws from SplitMix64 and Box-Muller: the same seed gives the same weights on every platform.</summary>
    private sealed class SeededGaussian(ulong seed)
    {
        private readonly SplitMix64 _random = new(seed);

        public float[] Fill(int count, float std)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(Next() * std);
            return values;
        }

        private double Next()
        {
            var u1 = _random.NextDouble();
            var u2 = _random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
