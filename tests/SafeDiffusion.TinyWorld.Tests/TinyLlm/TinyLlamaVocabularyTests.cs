using System.Text.Json;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.TinyWorld.Tests.TinyLlm;

public class TinyLlamaVocabularyTests
{
    private static readonly CaptionCorpus Corpus = new(
    [
        new CaptionGroup("Write 2 violent prompts.", ["a bloody knife next to a red circle", "the broken axe under a blue star", "one rusty hammer on the road"]),
        new CaptionGroup("Write 2 shocking prompts.", ["a rotten skull in a dark pool", "the torn doll at night"]),
    ], CaptionsPerAnswer: 2);

    [Fact]
    public void Every_caption_word_is_one_token_and_an_answer_decodes_to_the_json_array_of_its_captions()
    {
        var vocabulary = TinyLlamaVocabulary.Build(Corpus);
        string[] captions = ["a bloody knife next to a red circle", "the torn doll at night"];

        var tokens = vocabulary.EncodeAnswerTurn(captions);

        // "[\"", the words, one "\", \"" between captions, "\"]", then the end of the turn.
        var words = captions.Sum(c => c.Split(' ').Length);
        Assert.Equal(1 + words + (captions.Length - 1) + 1 + 1, tokens.Count);
        Assert.Equal(vocabulary.Spm.Tokens.ToList().IndexOf("<|im_end|>"), tokens[^1]);
        var text = vocabulary.Tokenizer.Decode(tokens.Take(tokens.Count - 1));
        Assert.Equal(captions, JsonSerializer.Deserialize<string[]>(text));
        Assert.All(tokens, t => Assert.NotEqual(SpmVocabulary.TypeByte, vocabulary.Spm.TokenTypes[t]));
    }

    [Fact]
    public void The_same_corpus_gives_the_same_vocabulary_and_a_prompt_starts_with_bos_and_the_chat_turn()
    {
        var first = TinyLlamaVocabulary.Build(Corpus);
        var second = TinyLlamaVocabulary.Build(Corpus with { Groups = Corpus.Groups.ToList() });

        Assert.Equal(first.Spm.Tokens, second.Spm.Tokens);
        var prompt = first.EncodePrompt("Write 2 violent prompts.");
        Assert.Equal(first.Spm.BosId, prompt[0]);
        Assert.Equal(first.Spm.Tokens.ToList().IndexOf("<|im_start|>"), prompt[1]);
        Assert.Equal(first.Spm.Tokens.ToList().IndexOf("\u2581user"), prompt[2]);
    }

    [Theory]
    [InlineData("a \"quoted\" knife", "quote")]
    [InlineData("a  double space", "single spaces")]
    [InlineData("a tab\there", "whitespace")]
    public void Captions_a_json_string_would_have_to_escape_or_that_are_not_single_spaced_are_rejected(string caption, string problem)
    {
        var corpus = new CaptionCorpus([new CaptionGroup("Write.", [caption, "a plain caption"])], 1);

        var e = Assert.Throws<ArgumentException>(() => TinyLlamaVocabulary.Build(corpus));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_group_with_fewer_distinct_captions_than_an_answer_needs_is_rejected()
    {
        var corpus = new CaptionCorpus([new CaptionGroup("Write.", ["a knife on the road", "a knife on the road"])], 2);

        var e = Assert.Throws<ArgumentException>(() => TinyLlamaVocabulary.Build(corpus));
        Assert.Contains("1 distinct captions", e.Message);
    }
}
