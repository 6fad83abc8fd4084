using SafeDiffusion.Prompts.Filtering;

namespace SafeDiffusion.Prompts.Tests.Filtering;

public class PromptPostProcessorTests
{
    private static PromptPostProcessor Create(Func<string, int>? clip = null, int maxClip = 75, int maxWords = 60, double threshold = 0.7) =>
        new(new PromptPostProcessorOptions
        {
            MinWords = 4,
            MaxClipTokens = maxClip,
            CountClipTokens = clip,
            MaxWordsWithoutTokenizer = maxWords,
            NearDuplicateThreshold = threshold,
            ShingleSize = 2,
        });

    [Theory]
    [InlineData("  a man\trunning \n\n through   rain ", "a man running through rain")]
    [InlineData("a\u00A0man\u2003running\u200B through rain", "a man running through rain")]
    [InlineData("1. a man running through rain", "a man running through rain")]
    [InlineData("- a man running through rain", "a man running through rain")]
    [InlineData("1984 was a year of rain", "1984 was a year of rain")]
    public void Whitespace_is_collapsed_and_trimmed_and_list_markers_removed(string raw, string expected) =>
        Assert.Equal(expected, PromptText.Normalize(raw));

    [Fact]
    public void Empty_and_punctuation_only_prompts_are_dropped_as_empty()
    {
        var p = Create();
        Assert.Equal(PromptDropReason.Empty, p.Process("   ").DropReason);
        Assert.Equal(PromptDropReason.Empty, p.Process("?!...").DropReason);
        Assert.Equal(PromptDropReason.Empty, p.Process(null).DropReason);
        Assert.Equal(3, p.Counts.Empty);
    }

    [Fact]
    public void Prompts_under_the_minimum_word_count_are_dropped_as_too_short()
    {
        var p = Create();
        Assert.Equal(PromptDropReason.TooShort, p.Process("a burning car").DropReason);
        Assert.True(p.Process("a burning car outside").Kept);
    }

    [Fact]
    public void The_clip_token_counter_decides_too_long_when_one_is_given()
    {
        // A stand-in tokenizer: two tokens per word. 38 words = 76 tokens > 75; 37 words = 74 tokens.
        var p = Create(clip: text => 2 * text.Split(' ').Length);
        var words = Enumerable.Range(0, 40).Select(i => $"w{i}").ToArray();
        Assert.Equal(PromptDropReason.TooLong, p.Process(string.Join(' ', words[..38])).DropReason);
        Assert.True(p.Process(string.Join(' ', words[..37])).Kept);
    }

    [Fact]
    public void Without_a_tokenizer_a_word_bound_decides_too_long()
    {
        var p = Create(maxWords: 10);
        Assert.Equal(PromptDropReason.TooLong, p.Process("one two three four five six seven eight nine ten eleven").DropReason);
        Assert.True(p.Process("one two three four five six seven eight nine ten").Kept);
    }

    [Fact]
    public void Repeats_differing_only_in_case_punctuation_or_spacing_are_exact_duplicates()
    {
        var p = Create();
        Assert.True(p.Process("A man fights in the street.").Kept);
        Assert.Equal(PromptDropReason.ExactDuplicate, p.Process("a MAN fights   in the street").DropReason);
        Assert.Equal(PromptDropReason.ExactDuplicate, p.Process("A man, fights in the street!").DropReason);
    }

    [Fact]
    public void Near_duplicates_at_or_above_the_jaccard_threshold_are_dropped_and_others_kept()
    {
        var p = Create(threshold: 0.7);
        const string original = "a soldier walks through a burning city at night in heavy rain";
        Assert.True(p.Process(original).Kept);

        // Word bigrams: the original has 11. Appending one word adds one bigram: 11/12 = 0.92 >= 0.7.
        Assert.Equal(PromptDropReason.NearDuplicate, p.Process(original + " today").DropReason);

        // Replacing the last word changes one bigram: shared 10, union 12, 0.83 >= 0.7.
        Assert.Equal(PromptDropReason.NearDuplicate, p.Process("a soldier walks through a burning city at night in heavy snow").DropReason);

        // Replacing a middle word changes two bigrams: shared 9, union 13, 0.69 < 0.7: kept.
        Assert.True(p.Process("a soldier walks through a burning town at night in heavy rain").Kept);

        Assert.True(p.Process("two dogs play on a quiet beach under a pale morning sky").Kept);
        Assert.Equal(new PromptFilterCounts(Seen: 5, Kept: 3, Empty: 0, TooShort: 0, TooLong: 0, ExactDuplicate: 0, NearDuplicate: 2), p.Counts);
    }

    [Fact]
    public void Counts_record_every_reason_and_convert_to_manifest_metrics()
    {
        var p = Create(maxWords: 8);
        p.Process("");
        p.Process("too short");
        p.Process("one two three four five six seven eight nine");
        p.Process("a red car in the rain");
        p.Process("A red car in the rain!");
        var counts = p.Counts;
        Assert.Equal(new PromptFilterCounts(5, 1, 1, 1, 1, 1, 0), counts);
        Assert.Equal(4, counts.Dropped);
        Assert.Equal(1, counts.ToMetrics()["prompts_dropped_too_long"]);
    }
}
