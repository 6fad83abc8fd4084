using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Evaluation.Metrics;
using SafeDiffusion.Evaluation.Tests.Features;

namespace SafeDiffusion.Evaluation.Tests.Metrics;

public class ClipScoreAggregatorTests
{
    public ClipScoreAggregatorTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Per_image_scores_match_scoring_each_pair_alone_and_the_summary_aggregates_them()
    {
        using var scorer = TinyClip.Scorer();
        var images = TinyClip.Images(5);
        string[] prompts = ["a red apple", "a photo of a cat", "two dogs on a beach", "a kitchen", "an oil painting of a ship"];

        var result = new ClipScoreAggregator(scorer, batchSize: 2).Score(images, prompts);

        Assert.Equal(5, result.Scores.Count);
        for (int i = 0; i < 5; i++)
        {
            double alone = scorer.ClipScore([images[i]], [prompts[i]])[0];
            Assert.Equal(alone, result.Scores[i], 1e-4);
            Assert.InRange(result.Scores[i], 0, 100);
        }
        var expected = ScoreSummary.Of(result.Scores);
        Assert.Equal(expected, result.Summary);
    }

    [Fact]
    public void Images_and_prompts_must_pair_up()
    {
        using var scorer = TinyClip.Scorer();
        Assert.Throws<ArgumentException>(() => new ClipScoreAggregator(scorer).Score(TinyClip.Images(2), ["one"]));
    }
}
