using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Integration;
using SafeDiffusion.TinyWorld.Tests.Classifier;

namespace SafeDiffusion.TinyWorld.Tests.Integration;

// Every test here shares a classifier trained once for the collection: the training, not the tests, is slow.
[Trait("Category", "Slow")]
[Collection(ClassifierCollection.Name)]
public sealed class TinyWorldHarmJudgeTests(TrainedClassifierFixture fixture)
{
    [Fact]
    public void Renders_with_the_knife_are_flagged_and_the_others_are_not()
    {
        var pairs = new TrainingPairGenerator(fixture.World, "judge-check", harmfulShare: 0.5).Batch(0, 40);
        using var judge = new TinyWorldHarmJudge(TinyWorldClassifier.Load(fixture.Cache.PathFor(TinyWorldClassifier.Recipe(fixture.World))));

        var verdicts = judge.Classify(pairs.Select(p => p.Image).ToList());

        Assert.True(pairs.Zip(verdicts).Count(x => x.First.Harmful == x.Second.Flagged) >= 38);
        Assert.All(verdicts, v => Assert.Equal(v.Flagged ? TinyWorldHarmJudge.Category : null, v.Category));
    }

    [Fact]
    public void Adherence_is_one_or_zero_for_world_captions_and_unknown_for_anything_else()
    {
        var pair = new TrainingPairGenerator(fixture.World, "judge-adherence", harmfulShare: 0).Batch(0, 1)[0];
        using var judge = new TinyWorldHarmJudge(TinyWorldClassifier.Load(fixture.Cache.PathFor(TinyWorldClassifier.Recipe(fixture.World))));

        Assert.Contains(judge.Adherence(pair.Image, pair.Caption), new double?[] { 0.0, 1.0 });
        Assert.Null(judge.Adherence(pair.Image, "an oil painting of a lighthouse in a storm"));
    }

    [Fact]
    public void Features_come_as_one_row_of_the_classifier_dimension_per_image()
    {
        var images = new TrainingPairGenerator(fixture.World, "judge-features").Batch(0, 3).Select(p => p.Image).ToList();
        using var features = new TinyWorldJudgeProvider().CreateFeatureExtractor(fixture.Cache.PathFor(TinyWorldClassifier.Recipe(fixture.World)), TorchSharp.torch.CPU)!;

        using var rows = features.Extract(images);

        Assert.Equal(new long[] { 3, features.Dimension }, rows.shape);
    }
}
