using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Llm;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.Prompts.Tests.Gguf;

/// <summary>
/// Each bad file goes through <see cref="LlamaTextModel.LoadAsync"/>, the path the writer uses: the managed
/// check must reject it with an InputDataException before llama.cpp opens it. A native crash would end the test
/// process, so these tests passing also shows that llama.cpp never saw the files.
/// </summary>
public class GgufValidatorTests : IDisposable
{
    private static readonly LlamaRuntimeOptions Options = new(512, 0, 1, 64, 1);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteTiny(string name, TinyLlamaOptions? options = null)
    {
        var path = _dir.File(name);
        TinyLlamaGguf.Write(path, options);
        return path;
    }

    [Fact]
    public async Task A_missing_file_is_reported_as_missing()
    {
        var path = _dir.File("nowhere.gguf");
        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public async Task A_file_with_the_wrong_magic_is_reported_as_not_gguf()
    {
        var path = _dir.File("model.safetensors.gguf");
        File.WriteAllBytes(path, [.. "PK\u0003\u0004"u8, .. new byte[100]]);
        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Contains("not a GGUF file", e.Message);
        Assert.Equal("magic", e.Field);
    }

    [Fact]
    public async Task A_file_cut_short_in_the_header_is_reported_as_truncated()
    {
        var path = WriteTiny("cut-header.gguf");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..2000]); // inside the vocabulary array
        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task A_file_cut_short_in_the_tensor_data_is_reported_as_truncated_naming_the_tensor()
    {
        var path = WriteTiny("cut-data.gguf");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 5000)]);
        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Contains("truncated", e.Message);
        Assert.Equal(LlamaGgufLayout.Output, e.Field); // the last tensor written
    }

    [Fact]
    public async Task A_model_without_tokenizer_metadata_is_rejected_naming_the_missing_key()
    {
        var path = WriteTiny("no-tokenizer.gguf", new TinyLlamaOptions { IncludeTokenizer = false });
        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Equal(LlamaGgufLayout.TokenizerModelKey, e.Field);
        Assert.Contains("tokenizer", e.Message);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    public async Task An_unsupported_version_is_rejected_with_the_version_named(uint version)
    {
        var path = WriteTiny($"v{version}.gguf");
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(version).CopyTo(bytes, 4);
        File.WriteAllBytes(path, bytes);
        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Equal("version", e.Field);
        Assert.Contains($"version {version}", e.Message);
    }

    [Fact]
    public async Task A_llama_model_missing_a_block_tensor_is_rejected_naming_the_tensor()
    {
        var good = GgufReader.Read(WriteTiny("good.gguf"));
        var writer = new GgufWriter();
        foreach (var (key, value) in good.Entries) writer.Add(key, value);
        foreach (var t in good.Tensors.Where(t => t.Name != LlamaGgufLayout.FeedForwardNorm(1)))
            writer.AddTensor(t.Name, new float[t.ElementCount], t.Shape.ToArray());
        var path = _dir.File("missing-tensor.gguf");
        writer.Write(path);

        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Equal("blk.1.ffn_norm.weight", e.Field);
    }

    [Fact]
    public void A_vocabulary_id_outside_the_vocabulary_is_rejected()
    {
        var good = GgufReader.Read(WriteTiny("good.gguf"));
        var writer = new GgufWriter();
        foreach (var (key, value) in good.Entries)
            writer.Add(key, key == LlamaGgufLayout.EosIdKey ? GgufValue.UInt32(100_000) : value);
        var path = _dir.File("bad-eos.gguf");
        writer.Write(path);

        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(path));
        Assert.Equal(LlamaGgufLayout.EosIdKey, e.Field);
    }

    [Fact]
    public void The_tiny_model_passes_and_its_summary_matches_what_was_written()
    {
        var summary = GgufValidator.ValidateForTextGeneration(WriteTiny("tiny.gguf"));
        var vocabulary = SpmVocabulary.ForWords(TinyLlamaGguf.DefaultWords, TinyLlamaGguf.ChatMlControlTokens);
        Assert.Equal("llama", summary.Architecture);
        Assert.Equal("llama", summary.TokenizerModel);
        Assert.Equal(vocabulary.Count, summary.VocabularySize);
        Assert.Equal(2, summary.BlockCount);
        Assert.Equal(64, summary.EmbeddingLength);
        Assert.Equal(TinyLlamaGguf.ChatMlTemplate, summary.ChatTemplate);
        Assert.Equal(3 + 2 * 9, summary.TensorCount); // embedding, output norm, output, and nine per block
    }

    // The tiny model's metadata and tensors with `change` applied to each entry (null drops it) and `extra` added.
    private string Rewrite(string name, Func<string, GgufValue, GgufValue?> change, params (string Key, GgufValue Value)[] extra)
    {
        var good = GgufReader.Read(WriteTiny("good-" + name));
        var writer = new GgufWriter();
        foreach (var (key, value) in good.Entries)
            if (change(key, value) is { } changed) writer.Add(key, changed);
        foreach (var (key, value) in extra) writer.Add(key, value);
        foreach (var t in good.Tensors) writer.AddTensor(t.Name, new float[t.ElementCount], t.Shape.ToArray());
        var path = _dir.File(name);
        writer.Write(path);
        return path;
    }

    private static GgufValue Tokens(GgufValue tokens, Func<string, string> rename) =>
        GgufValue.Array(tokens.AsArray<string>().Select(rename).ToArray());

    [Fact]
    public async Task An_spm_vocabulary_without_byte_tokens_is_refused_before_llama_cpp_can_abort_on_it()
    {
        // Same vocabulary size, so nothing else about the file changes: the byte tokens are renamed away.
        var path = Rewrite("no-bytes.gguf", (key, value) => key == LlamaGgufLayout.TokensKey
            ? Tokens(value, t => t.StartsWith("<0x", StringComparison.Ordinal) ? "byte" + t : t)
            : value);

        var e = await Assert.ThrowsAsync<InputDataException>(() => LlamaTextModel.LoadAsync(path, Options));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(LlamaGgufLayout.TokensKey, e.Field);
        Assert.Contains("256 of the 256 byte tokens", e.Message);
        Assert.Contains("<0x0A>", e.Message);
        Assert.Equal(ExitCodes.InputData, e.ExitCode);
    }

    [Fact]
    public void An_spm_vocabulary_missing_only_the_newline_byte_says_so()
    {
        var path = Rewrite("no-newline.gguf", (key, value) => key == LlamaGgufLayout.TokensKey
            ? Tokens(value, t => t == "<0x0A>" ? "newline" : t)
            : value);

        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(path));
        Assert.Contains("1 of the 256 byte tokens (the newline token <0x0A> among them)", e.Message);
    }

    [Fact]
    public void A_bpe_vocabulary_without_merges_is_refused()
    {
        var path = Rewrite("bpe-no-merges.gguf", (key, value) => key == LlamaGgufLayout.TokenizerModelKey ? GgufValue.String("gpt2") : value);
        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(path));
        Assert.Equal(LlamaGgufLayout.MergesKey, e.Field);
    }

    [Fact]
    public void A_bpe_vocabulary_without_the_byte_level_newline_is_refused_and_one_with_it_passes()
    {
        var merges = (LlamaGgufLayout.MergesKey, GgufValue.Array(new[] { "a b" }));
        var without = Rewrite("bpe-no-newline.gguf",
            (key, value) => key == LlamaGgufLayout.TokenizerModelKey ? GgufValue.String("gpt2") : value, merges);
        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(without));
        Assert.Equal(LlamaGgufLayout.TokensKey, e.Field);
        Assert.Contains("newline", e.Message);

        // GPT-2's byte-level alphabet writes the newline byte 0x0A as U+010A.
        var with = Rewrite("bpe-newline.gguf", (key, value) => key switch
        {
            LlamaGgufLayout.TokenizerModelKey => GgufValue.String("gpt2"),
            LlamaGgufLayout.TokensKey => Tokens(value, t => t == "~" ? "\u010A" : t),
            _ => value,
        }, merges);
        Assert.Equal("gpt2", GgufValidator.ValidateForTextGeneration(with).TokenizerModel);
    }

    [Theory]
    [InlineData("tokenizer.ggml.seperator_token_id")]
    [InlineData("tokenizer.ggml.eot_token_id")]
    [InlineData("tokenizer.ggml.padding_token_id")]
    public void Any_special_token_id_outside_the_vocabulary_is_refused_naming_the_key(string key)
    {
        var path = Rewrite("bad-special.gguf", (_, value) => value, (key, GgufValue.UInt32(1_000_000)));
        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(path));
        Assert.Equal(key, e.Field);
        Assert.Contains("1000000", e.Message);
    }

    [Fact]
    public void A_special_token_id_that_is_not_an_integer_is_refused()
    {
        var path = Rewrite("text-special.gguf", (_, value) => value, ("tokenizer.ggml.cls_token_id", GgufValue.String("3")));
        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(path));
        Assert.Equal("tokenizer.ggml.cls_token_id", e.Field);
    }

    [Theory]
    [InlineData(LlamaGgufLayout.ScoresKey)]
    [InlineData(LlamaGgufLayout.TokenTypeKey)]
    public void A_score_or_type_array_shorter_than_the_vocabulary_is_refused(string key)
    {
        var path = Rewrite("short-array.gguf", (k, value) => k != key ? value : value.Value switch
        {
            float[] scores => GgufValue.Array(scores[..^1]),
            int[] types => GgufValue.Array(types[..^1]),
            _ => value,
        });
        var e = Assert.Throws<InputDataException>(() => GgufValidator.ValidateForTextGeneration(path));
        Assert.Equal(key, e.Field);
    }
}
