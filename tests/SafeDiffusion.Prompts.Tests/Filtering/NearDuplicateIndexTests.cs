using SafeDiffusion.Prompts.Filtering;

namespace SafeDiffusion.Prompts.Tests.Filtering;

public class NearDuplicateIndexTests
{
    [Fact]
    public void Jaccard_of_word_shingle_sets_matches_a_hand_count()
    {
        // Bigrams of "a b c d": ab bc cd. Of "a b c e": ab bc ce. Shared 2, union 4.
        var a = NearDuplicateIndex.Shingles("a b c d", 2);
        var b = NearDuplicateIndex.Shingles("A, b c   e", 2);
        Assert.Equal(3, a.Count);
        Assert.Equal(0.5, NearDuplicateIndex.Jaccard(a, b), 1e-10);
        // A text shorter than the shingle size is one shingle of all its words.
        Assert.Single(NearDuplicateIndex.Shingles("word", 3));
    }

    [Fact]
    public void Banding_puts_the_detection_midpoint_below_the_threshold()
    {
        var index = new NearDuplicateIndex(0.8, 2, 128);
        var (bands, rows) = index.Banding;
        Assert.True(bands * rows <= 128);
        Assert.True(Math.Pow(1.0 / bands, 1.0 / rows) <= 0.7);
    }

    [Fact]
    public void Among_many_unrelated_texts_only_the_planted_near_duplicates_are_found()
    {
        var index = new NearDuplicateIndex(0.75, 2, 128);
        var random = new Random(3);
        string Sentence() => string.Join(' ', Enumerable.Range(0, 14).Select(_ => $"w{random.Next(5000)}"));
        var originals = Enumerable.Range(0, 300).Select(_ => Sentence()).ToList();
        foreach (var o in originals) Assert.True(index.TryAdd(o, out _));

        int found = 0;
        foreach (var o in originals.Take(50))
        {
            // One extra word at the end: 13 of 14 bigrams shared, Jaccard 13/14 = 0.93.
            if (!index.TryAdd(o + " extra", out var similarity))
            {
                found++;
                Assert.Equal(13.0 / 14.0, similarity, 1e-10);
            }
        }
        Assert.Equal(50, found);
        Assert.Equal(300, index.Count);
    }
}
