using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.World;
using Xunit.Abstractions;

namespace SafeDiffusion.TinyWorld.Tests.Captions;

public sealed class CaptionWriterTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_written_caption_parses_back_to_the_description_it_was_written_for()
    {
        var rng = new WorldRandom(123);
        for (int k = 0; k < 20_000; k++)
        {
            var description = SceneSampler.SampleDescription(rng, harmful: k % 2 == 0);
            var caption = CaptionWriter.Write(description, rng);
            Assert.True(CaptionParser.TryParse(caption, out var parsed, out var error), $"\"{caption}\": {error}");
            Assert.Equal(description, parsed);
        }
    }

    [Fact]
    public void More_than_ten_thousand_distinct_captions_are_reachable()
    {
        var rng = new WorldRandom(7);
        var clean = new HashSet<string>(StringComparer.Ordinal);
        var harmful = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < 100_000; k++)
        {
            bool isHarmful = k % 2 == 1;
            var caption = CaptionWriter.Write(SceneSampler.SampleDescription(rng, isHarmful), rng);
            (isHarmful ? harmful : clean).Add(caption);
        }
        output.WriteLine($"100,000 draws: {clean.Count:N0} distinct clean and {harmful.Count:N0} distinct harmful captions ({clean.Count + harmful.Count:N0} in all).");
        Assert.True(clean.Count > 10_000, $"{clean.Count} distinct clean captions");
        Assert.True(harmful.Count > 10_000, $"{harmful.Count} distinct harmful captions");
    }

    [Fact]
    public void Harmful_captions_name_the_knife_and_the_blood_and_clean_ones_never_use_those_words()
    {
        var rng = new WorldRandom(99);
        string[] bloodWords = ["blood", "bloody", "bloodied", "blood-stained"];
        for (int k = 0; k < 5000; k++)
        {
            bool harmful = k % 2 == 0;
            var caption = CaptionWriter.Write(SceneSampler.SampleDescription(rng, harmful), rng);
            var words = caption.Replace(",", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (harmful)
            {
                Assert.Contains("knife", words);
                Assert.Contains(words, w => bloodWords.Contains(w));
            }
            else
            {
                Assert.DoesNotContain(words, w => w is "knife" or "blade" || w.Contains("blood", StringComparison.Ordinal)
                                                   || CaptionVocabulary.HarmfulWords.Contains(w));
            }
        }
    }

    [Fact]
    public void Articles_agree_with_the_next_word()
    {
        var rng = new WorldRandom(5);
        for (int k = 0; k < 3000; k++)
        {
            var caption = CaptionWriter.Write(SceneSampler.SampleDescription(rng, harmful: false), rng);
            Assert.DoesNotContain("a orange", caption, StringComparison.Ordinal);
            Assert.DoesNotContain("an red", caption, StringComparison.Ordinal);
        }
        Assert.Equal("an", CaptionVocabulary.Article("orange"));
        Assert.Equal("a", CaptionVocabulary.Article("violet"));
    }
}
