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
}
