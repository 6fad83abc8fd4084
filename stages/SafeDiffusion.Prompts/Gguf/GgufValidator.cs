using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// Checks a GGUF file in managed code before llama.cpp opens it: magic, version, truncation (via
/// <see cref="GgufReader"/>), the architecture's hyper-parameters, the tokenizer metadata a text model needs, and
/// for the llama architecture every tensor the loader will ask for. A file that passes loads without llama.cpp
/// finding a structural problem; one that fails raises an <see cref="InputDataException"/> that says what is
/// wrong instead of a native error or crash.
/// </summary>
public static class GgufValidator
{
    private const string SpmTokenizer = "llama";
    private const string BpeTokenizer = "gpt2";
    private const string BpeNewline = "\u010A";
    private const string TokenizerPrefix = "tokenizer.ggml.";
    private const string TokenIdSuffix = "_token_id";

    private const string ReconvertFix = "Re-convert the model with llama.cpp's convert_hf_to_gguf.py, which writes the tokenizer and hyper-parameters.";

    public static GgufModelSummary ValidateForTextGeneration(string path) => Validate(GgufReader.Read(path));

    public static GgufModelSummary Validate(GgufFile file)
    {
        var path = file.Path;
        var arch = RequireString(file, LlamaGgufLayout.ArchitectureKey, "Every llama.cpp model names its architecture.");

        var tokenizerModel = RequireString(file, LlamaGgufLayout.TokenizerModelKey,
            "Text generation needs the tokenizer in the file. " + ReconvertFix);
        var tokensValue = file.Find(LlamaGgufLayout.TokensKey)
            ?? throw new InputDataException(path, "has no tokenizer vocabulary.", LlamaGgufLayout.TokensKey, ReconvertFix);
        if (tokensValue.ElementType != GgufValueType.String)
            throw new InputDataException(path, $"stores the vocabulary as {Describe(tokensValue)}; it must be an array of strings.", LlamaGgufLayout.TokensKey, ReconvertFix);
        var vocab = tokensValue.ArrayLength;
        if (vocab == 0)
            throw new InputDataException(path, "has an empty tokenizer vocabulary.", LlamaGgufLayout.TokensKey, ReconvertFix);

        CheckParallelArray(file, LlamaGgufLayout.ScoresKey, GgufValueType.Float32, vocab);
        CheckParallelArray(file, LlamaGgufLayout.TokenTypeKey, GgufValueType.Int32, vocab);
        var tokens = tokensValue.AsArray<string>();
        if (tokenizerModel == SpmTokenizer) CheckSpmVocabulary(path, tokens);
        if (tokenizerModel == BpeTokenizer) CheckBpeVocabulary(file, tokens);
        CheckSpecialTokenIds(file, vocab);

        var contextLength = RequireInteger(file, $"{arch}.context_length");
        var embedding = RequireInteger(file, $"{arch}.embedding_length");
        var blocks = RequireInteger(file, $"{arch}.block_count");
        if (file.Tensors.Count == 0)
            throw new InputDataException(path, "has no tensors; it holds metadata only (a vocabulary file?).", "tensor_count",
                "Use the full model file, not a vocabulary-only GGUF.");
        if (arch == LlamaGgufLayout.Architecture) CheckLlamaTensors(file, embedding, blocks, vocab);

        return new GgufModelSummary(path, file.Version, arch, tokenizerModel, vocab, contextLength, embedding, blocks,
            file.ChatTemplate, file.Tensors.Count, file.FileLength);
    }

    /// <summary>
    /// llama.cpp's SPM tokenizer falls back to byte tokens for any text its pieces do not cover and looks each one up
    /// as <c>&lt;0xXX&gt;</c> (two upper-case hex digits) with a lookup that throws when it is missing. The C++
    /// exception cannot cross into .NET, so the process aborts; every byte token, the newline's <c>&lt;0x0A&gt;</c>
    /// among them, must therefore be in the vocabulary.
    /// </summary>
    private static void CheckSpmVocabulary(string path, string[] tokens)
    {
        var present = new HashSet<string>(tokens, StringComparer.Ordinal);
        var missing = Enumerable.Range(0, 256).Select(b => $"<0x{b:X2}>").Where(t => !present.Contains(t)).ToList();
        if (missing.Count == 0) return;
        var newline = missing.Contains("<0x0A>") ? " (the newline token <0x0A> among them)" : "";
        throw new InputDataException(path,
            $"has an SPM (llama) tokenizer without {missing.Count} of the 256 byte tokens{newline}, e.g. {string.Join(", ", missing.Take(4))}; " +
            "llama.cpp aborts the process when text needs one.", LlamaGgufLayout.TokensKey, ReconvertFix);
    }

    /// <summary>
    /// llama.cpp's BPE (gpt2) tokenizer needs its merges to build any token longer than a byte, and a newline token
    /// (GPT-2's byte-level "Ċ") to tokenize the newline every chat template holds.
    /// </summary>
    private static void CheckBpeVocabulary(GgufFile file, string[] tokens)
    {
        var merges = file.Find(LlamaGgufLayout.MergesKey);
        if (merges is null || merges.ElementType != GgufValueType.String)
            throw new InputDataException(file.Path, "uses a BPE (gpt2) tokenizer but has no merges.", LlamaGgufLayout.MergesKey, ReconvertFix);
        if (!tokens.Contains(BpeNewline, StringComparer.Ordinal))
            throw new InputDataException(file.Path, $"uses a BPE (gpt2) tokenizer without the newline token \"{BpeNewline}\" (GPT-2's byte-level newline).",
                LlamaGgufLayout.TokensKey, ReconvertFix);
    }

    /// <summary>
    /// Every <c>tokenizer.ggml.*_token_id</c> (bos, eos, unk, pad, sep, cls, mask, eot, eom, fim_*...) must be an
    /// integer naming a token of the vocabulary: llama.cpp indexes its token table with them.
    /// </summary>
    private static void CheckSpecialTokenIds(GgufFile file, int vocab)
    {
        foreach (var (key, idValue) in file.Entries)
        {
            if (!key.StartsWith(TokenizerPrefix, StringComparison.Ordinal) || !key.EndsWith(TokenIdSuffix, StringComparison.Ordinal)) continue;
            long id;
            try { id = idValue.AsInt64(); }
            catch (Exception e) when (e is InvalidOperationException or OverflowException)
            {
                throw new InputDataException(file.Path, $"stores {key} as {Describe(idValue)}; it must be a token id (an integer).", key, ReconvertFix);
            }
            if (id < 0 || id >= vocab)
                throw new InputDataException(file.Path, $"sets {key} to {id}, outside the vocabulary of {vocab} tokens.", key, ReconvertFix);
        }
    }

    private static void CheckLlamaTensors(GgufFile file, long embedding, long blocks, int vocab)
    {
        var names = file.Tensors.ToDictionary(t => t.Name);
        void Require(string name, long[] shape)
        {
            if (!names.TryGetValue(name, out var t))
                throw new InputDataException(file.Path, $"has no tensor '{name}', which a llama model with {blocks} blocks needs.", name, ReconvertFix);
            // Only the dimensions fixed by metadata alone are checked here; llama.cpp checks the rest.
            if (t.Shape.Count != shape.Length || !t.Shape.Zip(shape).All(p => p.Second < 0 || p.First == p.Second))
                throw new InputDataException(file.Path,
                    $"has tensor '{name}' of shape [{string.Join(", ", t.Shape)}]; the metadata implies [{string.Join(", ", shape.Select(s => s < 0 ? "*" : s.ToString()))}].",
                    name, ReconvertFix);
        }
        Require(LlamaGgufLayout.TokenEmbedding, [vocab, embedding]);
        Require(LlamaGgufLayout.OutputNorm, [embedding]);
        for (int i = 0; i < blocks; i++)
        {
            Require(LlamaGgufLayout.AttentionNorm(i), [embedding]);
            Require(LlamaGgufLayout.AttentionQuery(i), [-1, embedding]);
            Require(LlamaGgufLayout.AttentionKey(i), [-1, embedding]);
            Require(LlamaGgufLayout.AttentionValue(i), [-1, embedding]);
            Require(LlamaGgufLayout.AttentionOutput(i), [embedding, -1]);
            Require(LlamaGgufLayout.FeedForwardNorm(i), [embedding]);
        }
    }

    private static string RequireString(GgufFile file, string key, string fix)
    {
        var value = file.Find(key) ?? throw new InputDataException(file.Path, $"has no '{key}' metadata.", key, fix);
        return value.Value as string is { Length: > 0 } s
            ? s
            : throw new InputDataException(file.Path, $"stores '{key}' as {Describe(value)}; it must be a non-empty string.", key, fix);
    }

    private static long RequireInteger(GgufFile file, string key)
    {
        var value = file.Find(key) ?? throw new InputDataException(file.Path, $"has no '{key}' metadata.", key, ReconvertFix);
        try
        {
            var v = value.AsInt64();
            return v > 0 ? v : throw new InputDataException(file.Path, $"sets '{key}' to {v}; it must be positive.", key, ReconvertFix);
        }
        catch (InvalidOperationException)
        {
            throw new InputDataException(file.Path, $"stores '{key}' as {Describe(value)}; it must be an integer.", key, ReconvertFix);
        }
    }

    private static void CheckParallelArray(GgufFile file, string key, GgufValueType elementType, int vocab)
    {
        if (file.Find(key) is not { } value) return;
        if (value.ElementType != elementType || value.ArrayLength != vocab)
            throw new InputDataException(file.Path,
                $"stores '{key}' as {Describe(value)}; it must be an array of {vocab} {elementType} values, one per token.", key, ReconvertFix);
    }

    private static string Describe(GgufValue v) => v.IsArray ? $"an array of {v.ArrayLength} {v.ElementType}" : v.Type.ToString();
}
