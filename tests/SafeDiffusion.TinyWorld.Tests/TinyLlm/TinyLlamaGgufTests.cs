using System.Globalization;
using LLama;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Llm;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.TinyWorld.Tests.TinyLlm;

[Collection(TinyModelCollection.Name)]
public class TinyLlamaGgufTests(TinyModelFixture fixture)
{
    [Fact]
    public void LLamaSharp_reports_the_metadata_the_writer_wrote()
    {
        var metadata = fixture.Model.Weights.Metadata;
        var written = GgufReader.Read(fixture.ModelPath);
        var scalars = written.Entries.Where(e => !e.Value.IsArray).ToList();
        Assert.NotEmpty(scalars);
        foreach (var (key, value) in scalars)
        {
            Assert.True(metadata.TryGetValue(key, out var reported), $"LLamaSharp does not report '{key}'.");
            switch (value.Type)
            {
                case GgufValueType.String:
                    Assert.Equal(value.AsString(), reported);
                    break;
                case GgufValueType.Bool:
                    Assert.Equal(value.AsBool() ? "true" : "false", reported);
                    break;
                case GgufValueType.Float32:
                    // llama.cpp prints floats with six decimals (std::to_string).
                    Assert.Equal(value.AsDouble(), double.Parse(reported!, CultureInfo.InvariantCulture), 1e-6);
                    break;
                default:
                    Assert.Equal(value.AsInt64(), long.Parse(reported!, CultureInfo.InvariantCulture));
                    break;
            }
        }
        Assert.Equal("llama", metadata["general.architecture"]);
        Assert.Equal("64", metadata["llama.embedding_length"]);
        Assert.Equal("2", metadata["llama.attention.head_count_kv"]);
    }

    [Fact]
    public void LLamaSharp_loads_the_layers_heads_and_vocabulary_that_were_written()
    {
        var weights = fixture.Model.Weights;
        var vocabulary = SpmVocabulary.ForWords(TinyLlamaGguf.DefaultWords, TinyLlamaGguf.ChatMlControlTokens);
        Assert.Equal(2, weights.NativeHandle.LayerCount);
        Assert.Equal(4, weights.NativeHandle.HeadCount);
        Assert.Equal(2, weights.NativeHandle.KVHeadCount);
        Assert.Equal(64, weights.EmbeddingSize);
        Assert.Equal(vocabulary.Count, weights.Vocab.Count);
        Assert.Equal(vocabulary.BosId, (int)weights.Vocab.BOS!.Value);
        Assert.Equal(vocabulary.EosId, (int)weights.Vocab.EOS!.Value);
    }

    [Fact]
    public void Whole_words_of_the_vocabulary_tokenize_to_single_tokens_and_decode_back()
    {
        var vocabulary = SpmVocabulary.ForWords(TinyLlamaGguf.DefaultWords, TinyLlamaGguf.ChatMlControlTokens);
        var tokens = fixture.Model.Weights.Tokenize("violent crowd", add_bos: true, special: false, System.Text.Encoding.UTF8);
        var ids = tokens.Select(t => (int)t).ToArray();
        Assert.Equal(new[] { vocabulary.BosId, IndexOf(vocabulary, "\u2581violent"), IndexOf(vocabulary, "\u2581crowd") }, ids);

        // Text outside the vocabulary falls back to byte tokens instead of failing.
        var fallback = fixture.Model.Weights.Tokenize("Ω", add_bos: false, special: false, System.Text.Encoding.UTF8);
        Assert.NotEmpty(fallback);
    }

    [Fact]
    public async Task An_f16_model_with_64_byte_alignment_loads_and_reports_its_metadata()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tiny-f16.gguf");
        TinyLlamaGguf.Write(path, new TinyLlamaOptions { MatrixType = GgmlType.F16, Alignment = 64, Name = "tiny-f16", Seed = 7 });
        using var model = await LlamaTextModel.LoadAsync(path, new LlamaRuntimeOptions(512, 0, 1, 64, 1));
        Assert.Equal("tiny-f16", model.Weights.Metadata["general.name"]);
        Assert.Equal("1", model.Weights.Metadata["general.file_type"]);
        Assert.Equal("64", model.Weights.Metadata["general.alignment"]);
        var tokens = model.Weights.Tokenize("dark street", true, false, System.Text.Encoding.UTF8);
        Assert.Equal(3, tokens.Length);
    }

    private static int IndexOf(SpmVocabulary vocabulary, string token) => vocabulary.Tokens.ToList().IndexOf(token);
}
