using System.Text;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.TinyWorld.Tests.TinyLlm;

[Collection(TinyModelCollection.Name)]
public class SpmTokenizerTests(TinyModelFixture fixture)
{
    private static readonly SpmVocabulary Vocabulary = SpmVocabulary.ForWords(TinyLlamaGguf.DefaultWords, TinyLlamaGguf.ChatMlControlTokens);

    public static TheoryData<string> Texts =>
    [
        ChatMlFormat.UserTurn("Write 3 prompts about violence (fights, blood). Answer with a JSON array."),
        "violent crowd",
        "a dark   street\n\nwith\tfire",
        " leading and trailing spaces ",
        "knives, fires and burnings: unknown words split into pieces",
        "Ω café naïve 日本 \U0001F600 bytes for what the vocabulary lacks",
        "<|im_start|>user\nhello<|im_end|><s>inline</s> controls <unk>",
        "[\"a bloody knife\", \"the red car\"]",
        "",
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Managed_tokenization_gives_the_ids_llama_cpp_gives(string text)
    {
        var tokenizer = new SpmTokenizer(Vocabulary);
        foreach (var (addBos, special) in new[] { (true, true), (false, true), (true, false), (false, false) })
        {
            var expected = fixture.Model.Weights.Tokenize(text, addBos, special, Encoding.UTF8).Select(t => (int)t).ToArray();
            var actual = tokenizer.Encode(text, addBos, special).ToArray();
            Assert.True(expected.SequenceEqual(actual),
                $"addBos={addBos} special={special}: llama.cpp [{string.Join(", ", expected)}], managed [{string.Join(", ", actual)}]");
        }
    }

    [Fact]
    public void Known_words_after_a_space_are_single_tokens_and_other_characters_become_their_utf8_bytes()
    {
        var tokenizer = new SpmTokenizer(Vocabulary);
        int Id(string token) => Vocabulary.Tokens.ToList().IndexOf(token);

        // The text starts a fragment, so it gets a space prefix: "▁dark", "▁street"; 'é' is C3 A9 in UTF-8 and
        // has no token of its own, while the ASCII letters around it do.
        var ids = tokenizer.Encode("dark street é", addBos: true, parseSpecial: false);

        Assert.Equal([Vocabulary.BosId, Id("\u2581dark"), Id("\u2581street"), Id("\u2581"), Id("<0xC3>"), Id("<0xA9>")], ids);
    }

    [Fact]
    public void Control_tokens_are_parsed_only_when_asked_and_the_text_after_one_gets_a_space_prefix()
    {
        var tokenizer = new SpmTokenizer(Vocabulary);
        int Id(string token) => Vocabulary.Tokens.ToList().IndexOf(token);

        var parsed = tokenizer.Encode("<|im_end|>fire", addBos: false, parseSpecial: true);
        var literal = tokenizer.Encode("<|im_end|>fire", addBos: false, parseSpecial: false);

        Assert.Equal([Id("<|im_end|>"), Id("\u2581fire")], parsed);
        Assert.DoesNotContain(Id("<|im_end|>"), literal);
        Assert.Equal("<|im_end|>fire", tokenizer.Decode(literal).TrimStart());
    }
}
