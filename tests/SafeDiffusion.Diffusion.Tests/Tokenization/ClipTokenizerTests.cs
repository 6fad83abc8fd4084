using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Diffusion.Tests.Tokenization;

public class ClipTokenizerTests
{
    private static string TokenizerDir(string set) => SharedFixtures.Path("sd-parity", set, "model", "tokenizer");

    private static int VocabId(string set, string token)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TokenizerDir(set), "vocab.json")));
        return doc.RootElement.GetProperty(token).GetInt32();
    }

    [Theory]
    [InlineData("tiny-sd1")]
    [InlineData("tiny-sd2")]
    public void Tokenizer_reproduces_the_reference_ids_and_padding_of_every_case(string set)
    {
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir(set));
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("sd-parity", set, "cases", "tokenizer.json")));
        int cases = 0;
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var text = c.GetProperty("text").GetString()!;
            var ids = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()).ToList();
            var padded = c.GetProperty("padded").EnumerateArray().Select(e => e.GetInt64()).ToList();
            var encoded = tokenizer.Encode(text);
            Assert.Equal(ids, encoded.UnpaddedIds);
            Assert.Equal(padded, encoded.InputIds);
            cases++;
        }
        Assert.True(cases >= 10);
    }

    [Theory]
    [InlineData("tiny-sd1", "<|endoftext|>")]
    [InlineData("tiny-sd2", "!")]
    public void Tokenizer_truncates_to_77_keeps_the_end_token_and_pads_with_the_folder_pad_token(string set, string padToken)
    {
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir(set));
        int bos = VocabId(set, "<|startoftext|>"), eos = VocabId(set, "<|endoftext|>"), pad = VocabId(set, padToken);

        var longPrompt = string.Join(" ", Enumerable.Repeat("cat", 100));
        var truncated = tokenizer.Encode(longPrompt);
        Assert.True(truncated.Truncated);
        Assert.Equal(100, truncated.TokenCount);
        Assert.Equal(77, truncated.InputIds.Count);
        Assert.Equal(77, truncated.Length);
        Assert.Equal(bos, truncated.InputIds[0]);
        Assert.Equal(eos, truncated.InputIds[76]);
        Assert.Equal(VocabId(set, "cat</w>"), truncated.InputIds[75]);

        var shortPrompt = tokenizer.Encode("cat");
        Assert.False(shortPrompt.Truncated);
        Assert.Equal(1, shortPrompt.TokenCount);
        Assert.Equal(3, shortPrompt.Length);
        Assert.Equal([bos, VocabId(set, "cat</w>"), eos], shortPrompt.UnpaddedIds);
        Assert.All(shortPrompt.InputIds.Skip(3), id => Assert.Equal(pad, id));
        Assert.Equal([1L, 1L, 1L, 0L], shortPrompt.AttentionMask.Take(4));

        // Exactly 75 tokens fit between the start and end tokens.
        var exact = tokenizer.Encode(string.Join(" ", Enumerable.Repeat("cat", 75)));
        Assert.False(exact.Truncated);
        Assert.Equal(77, exact.Length);
    }

    [Fact]
    public void CountTokens_counts_bpe_tokens_without_start_and_end()
    {
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd1"));
        Assert.Equal(0, tokenizer.CountTokens("   "));
        Assert.Equal(10, tokenizer.CountTokens("a photo of an astronaut riding a horse on mars"));
        Assert.Equal(120, tokenizer.CountTokens(string.Join(" ", Enumerable.Repeat("dog", 120))));
    }

    [Fact]
    public void Prompt_cleanup_uncurls_quotes_unescapes_html_and_collapses_whitespace_like_the_reference()
    {
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd1"));
        // ftfy straightens typographic apostrophes, html.unescape decodes entities, whitespace runs collapse:
        // each pair must therefore tokenize identically.
        Assert.Equal(tokenizer.Tokenize("don't stop"), tokenizer.Tokenize("don\u2019t stop"));
        Assert.Equal(tokenizer.Tokenize("salt & pepper"), tokenizer.Tokenize("salt &amp;amp; pepper"));
        Assert.Equal(tokenizer.Tokenize("a cat"), tokenizer.Tokenize("\u00A0A\u3000\u3000CAT\n"));
        Assert.Equal(tokenizer.Tokenize("fish"), tokenizer.Tokenize("\uFB01sh"));
        Assert.Equal(tokenizer.Tokenize("loud"), tokenizer.Tokenize("\uFF2C\uFF2F\uFF35\uFF24"));
        // The written-out end token is the end token, as in the reference.
        Assert.Equal([VocabId("tiny-sd1", "<|endoftext|>")], tokenizer.Tokenize("<|endoftext|>"));
    }

    [Fact]
    public void Decode_turns_ids_back_into_the_cleaned_text()
    {
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd1"));
        var encoded = tokenizer.Encode("A painting of a Fox, in the style of Monet!!");
        Assert.Equal("a painting of a fox , in the style of monet !!", tokenizer.Decode(encoded.InputIds));
    }

    [Fact]
    public void Tokenizer_is_thread_safe_under_concurrent_use()
    {
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd1"));
        var prompts = Enumerable.Range(0, 200).Select(i => $"prompt number {i} with words like astronaut{i % 7} and horse{i % 13}").ToList();
        var sequential = prompts.Select(p => tokenizer.Encode(p).InputIds).ToList();
        var fresh = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd1"));
        var parallel = new IReadOnlyList<long>[prompts.Count];
        Parallel.For(0, prompts.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = fresh.Encode(prompts[i]).InputIds);
        for (int i = 0; i < prompts.Count; i++) Assert.Equal(sequential[i], parallel[i]);
    }

    [Fact]
    public void A_broken_merges_line_is_an_input_error_naming_file_and_line()
    {
        using var dir = CopyTokenizer();
        var merges = dir.File("merges.txt");
        var lines = File.ReadAllLines(merges);
        lines[4] = "thisLineHasNoSpace";
        File.WriteAllLines(merges, lines);
        var e = Assert.Throws<InputDataException>(() => ClipTokenizer.FromFolder(dir.Path));
        Assert.Contains(merges, e.Message);
        Assert.Contains("line 5", e.Message);
    }

    [Fact]
    public void A_missing_merges_file_is_an_input_error_naming_the_file()
    {
        using var dir = CopyTokenizer();
        File.Delete(dir.File("merges.txt"));
        var e = Assert.Throws<InputDataException>(() => ClipTokenizer.FromFolder(dir.Path));
        Assert.Contains(dir.File("merges.txt"), e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void A_merge_whose_result_is_not_in_the_vocabulary_names_the_merges_line()
    {
        using var dir = CopyTokenizer();
        var merges = dir.File("merges.txt");
        var lines = File.ReadAllLines(merges);
        lines[2] = "q z"; // "qz" is no CLIP symbol
        File.WriteAllLines(merges, lines);
        var e = Assert.Throws<InputDataException>(() => ClipTokenizer.FromFolder(dir.Path));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("vocab.json", e.Message);
    }

    [Fact]
    public void A_vocabulary_that_is_not_json_is_an_input_error_naming_the_file()
    {
        using var dir = CopyTokenizer();
        File.WriteAllText(dir.File("vocab.json"), "{\"a\": 1,");
        var e = Assert.Throws<InputDataException>(() => ClipTokenizer.FromFolder(dir.Path));
        Assert.Contains(dir.File("vocab.json"), e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Pad_token_may_be_written_as_an_object_with_content()
    {
        using var dir = CopyTokenizer();
        File.WriteAllText(dir.File("tokenizer_config.json"),
            """{"model_max_length": 77, "pad_token": {"content": "!", "lstrip": false, "__type": "AddedToken"}}""");
        var tokenizer = ClipTokenizer.FromFolder(dir.Path);
        Assert.Equal(VocabId("tiny-sd2", "!"), tokenizer.PadTokenId);
        Assert.Equal(77, tokenizer.MaxLength);
    }

    [Fact]
    public void A_pad_token_missing_from_the_vocabulary_names_the_config_field()
    {
        using var dir = CopyTokenizer();
        File.WriteAllText(dir.File("tokenizer_config.json"), """{"pad_token": "<|nope|>"}""");
        var e = Assert.Throws<InputDataException>(() => ClipTokenizer.FromFolder(dir.Path));
        Assert.Contains("pad_token", e.Message);
        Assert.Contains("tokenizer_config.json", e.Message);
    }

    [Fact]
    public void Special_tokens_map_overrides_tokenizer_config_and_its_pad_token_is_split_out_before_bpe()
    {
        // tiny-sd2 names pad "<|endoftext|>" in tokenizer_config.json and "!" in special_tokens_map.json, as real SD 2.x folders do.
        var tokenizer = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd2"));
        int bang = VocabId("tiny-sd2", "!");
        Assert.Equal(bang, tokenizer.PadTokenId);
        Assert.Equal(Path.Combine(TokenizerDir("tiny-sd2"), "special_tokens_map.json"), tokenizer.Settings.PadToken.DefinedIn);
        // Without the split, "monet!!" would be "monet</w>" then the BPE symbol "!!</w>".
        Assert.Equal([VocabId("tiny-sd2", "monet</w>"), bang, bang], tokenizer.Tokenize("Monet!!"));
        Assert.Equal([VocabId("tiny-sd2", "wow</w>"), bang, VocabId("tiny-sd2", "cat</w>")], tokenizer.Tokenize("wow!cat"));
        // SD 1.x folders keep "!" an ordinary character.
        var sd1 = ClipTokenizer.FromFolder(TokenizerDir("tiny-sd1"));
        Assert.Equal([VocabId("tiny-sd1", "monet</w>"), VocabId("tiny-sd1", "!!</w>")], sd1.Tokenize("Monet!!"));
    }

    [Fact]
    public void Added_tokens_are_split_out_with_their_own_ids_and_the_longest_match_wins()
    {
        using var dir = CopyTokenizer();
        File.WriteAllText(dir.File("added_tokens.json"), """{"<cat-token>": 49408, "<cat-token-xl>": 49409}""");
        var tokenizer = ClipTokenizer.FromFolder(dir.Path);
        int a = VocabId("tiny-sd1", "a</w>"), dog = VocabId("tiny-sd1", "dog</w>");
        Assert.Equal([a, 49408, dog], tokenizer.Tokenize("a <cat-token>dog"));
        Assert.Equal([a, 49409, dog], tokenizer.Tokenize("a <cat-token-xl>dog"));
        // Case matters: transformers splits the raw prompt, before lower-casing.
        Assert.DoesNotContain(49408, tokenizer.Tokenize("a <CAT-TOKEN>dog"));
    }

    [Fact]
    public void Added_tokens_decoder_of_tokenizer_config_counts_as_added_tokens()
    {
        using var dir = CopyTokenizer();
        File.WriteAllText(dir.File("tokenizer_config.json"),
            """{"model_max_length": 77, "added_tokens_decoder": {"49410": {"content": "<sks>", "special": false}}}""");
        var tokenizer = ClipTokenizer.FromFolder(dir.Path);
        Assert.Equal([VocabId("tiny-sd1", "a</w>"), 49410], tokenizer.Tokenize("a<sks>"));
    }

    [Fact]
    public void A_pad_token_in_special_tokens_map_missing_from_the_vocabulary_names_that_file()
    {
        using var dir = CopyTokenizer();
        File.WriteAllText(dir.File("special_tokens_map.json"), """{"pad_token": "<|nope|>"}""");
        var e = Assert.Throws<InputDataException>(() => ClipTokenizer.FromFolder(dir.Path));
        Assert.Contains("special_tokens_map.json", e.Message);
        Assert.Contains("pad_token", e.Message);
    }

    private static TempDirectory CopyTokenizer()
    {
        var dir = new TempDirectory("tok");
        foreach (var f in Directory.GetFiles(TokenizerDir("tiny-sd1"))) File.Copy(f, dir.File(Path.GetFileName(f)));
        return dir;
    }
}
