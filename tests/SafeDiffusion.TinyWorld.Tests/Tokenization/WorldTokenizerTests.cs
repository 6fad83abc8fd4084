using System.Text.Json;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Tokenization;

namespace SafeDiffusion.TinyWorld.Tests.Tokenization;

public sealed class WorldTokenizerTests : IDisposable
{
    private readonly TempDirectory _temp = new("tinyworld-tokenizer");
    private readonly TokenizerBuildResult _built;
    private readonly ClipTokenizer _tokenizer;
    private readonly Dictionary<string, int> _vocab;

    public WorldTokenizerTests()
    {
        _built = WorldTokenizer.Write(_temp.Path);
        _tokenizer = ClipTokenizer.FromFolder(_temp.Path);
        _vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(_temp.File("vocab.json")))!;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_folder_has_the_four_files_of_a_clip_tokenizer()
    {
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json" })
            Assert.True(File.Exists(_temp.File(file)), file);
        Assert.StartsWith("#version:", File.ReadLines(_temp.File("merges.txt")).First(), StringComparison.Ordinal);
        using var config = JsonDocument.Parse(File.ReadAllText(_temp.File("tokenizer_config.json")));
        Assert.Equal(77, config.RootElement.GetProperty("model_max_length").GetInt32());
        Assert.Equal("CLIPTokenizer", config.RootElement.GetProperty("tokenizer_class").GetString());
    }

    [Fact]
    public void Every_word_of_the_world_is_one_token()
    {
        foreach (var word in CaptionVocabulary.Words)
        {
            var ids = _tokenizer.Tokenize(word);
            Assert.True(ids.Count == 1, $"\"{word}\" is {ids.Count} tokens");
            // The token is the word marked as a word end, as CLIP's vocabulary spells whole words.
            Assert.Equal(_vocab[word + "</w>"], ids[0]);
        }
    }

    [Fact]
    public void A_caption_encodes_to_start_word_ids_end_and_padding()
    {
        var encoded = _tokenizer.Encode("a red circle and a blue star on the grass");
        string[] words = ["a", "red", "circle", "and", "a", "blue", "star", "on", "the", "grass"];
        var expected = new List<long> { _vocab["<|startoftext|>"] };
        expected.AddRange(words.Select(w => (long)_vocab[w + "</w>"]));
        expected.Add(_vocab["<|endoftext|>"]);
        while (expected.Count < 77) expected.Add(_vocab["<|endoftext|>"]);
        Assert.Equal(expected, encoded.InputIds);
        Assert.Equal(12, encoded.Length);

        // Punctuation in captions is its own byte-level token: "blood-stained" is blood, -, stained.
        var knife = _tokenizer.Tokenize("a blood-stained knife, a red disc");
        Assert.Equal(new[] { "a</w>", "blood</w>", "-</w>", "stained</w>", "knife</w>", ",</w>", "a</w>", "red</w>", "disc</w>" }.Select(t => _vocab[t]), knife);
    }

    [Fact]
    public void Text_outside_the_world_still_tokenizes_through_byte_fallbacks()
    {
        var ids = _tokenizer.Tokenize("zebra 42 Ünïcode!");
        Assert.True(ids.Count > 5);
        Assert.All(ids, id => Assert.InRange(id, 0, _built.VocabularySize - 1));
        Assert.Equal("zebra 4 2 ünïcode !", _tokenizer.Decode(ids.Select(i => (long)i)));
    }

    [Fact]
    public void The_tiny_text_encoder_config_matches_the_tokenizer()
    {
        var config = TinyModelConfigs.TextEncoder();
        Assert.Equal(_built.VocabularySize, config.VocabSize);
        Assert.Equal(_tokenizer.BosTokenId, config.BosTokenId);
        Assert.Equal(_tokenizer.EosTokenId, config.EosTokenId);
        Assert.Equal(_tokenizer.MaxLength, config.MaxPositionEmbeddings);
        // transformers pools at the largest id for legacy configs; the end token being the largest id keeps both rules equal.
        Assert.Equal(_vocab.Values.Max(), _tokenizer.EosTokenId);
    }

    [Fact]
    public void Building_twice_writes_identical_files()
    {
        using var other = new TempDirectory("tinyworld-tokenizer");
        WorldTokenizer.Write(other.Path);
        foreach (var file in new[] { "vocab.json", "merges.txt" })
            Assert.Equal(File.ReadAllBytes(_temp.File(file)), File.ReadAllBytes(other.File(file)));
    }

    [Fact]
    public void The_builder_makes_any_word_list_one_token_per_word()
    {
        using var folder = new TempDirectory("tinyworld-tokenizer");
        string[] words = ["tree", "red", "reed", "street", "there", "three", "the", "ee", "e", "aaaa", "aaa", "café"];
        ClipBpeTokenizerBuilder.Build(words, folder.Path);
        var tokenizer = ClipTokenizer.FromFolder(folder.Path);
        foreach (var w in words) Assert.Single(tokenizer.Tokenize(w));
        Assert.Throws<ArgumentException>(() => ClipBpeTokenizerBuilder.Build(["two words"], folder.Path));
    }
}
