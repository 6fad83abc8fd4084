using SafeDiffusion.Core.Errors;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.Tests.Pretraining;
using SafeDiffusion.TinyWorld.World;
using TorchSharp;
using Xunit.Abstractions;

namespace SafeDiffusion.TinyWorld.Tests.Classifier;

// Every test here shares a classifier trained once for the collection: the training, not the tests, is slow.
[Trait("Category", "Slow")]
[Collection(ClassifierCollection.Name)]
public sealed class TinyWorldClassifierTests(TrainedClassifierFixture fixture, ITestOutputHelper output)
{
    private TinyWorldClassifier Classifier => fixture.Classifier;

    /// <summary>
    /// SLOW (about 25 s on two idle cores): its fixture trains the default classifier from scratch. The training time is
    /// printed, not asserted: it is measured where it matters, in the first `pipeline run full`.
    /// </summary>
    [Fact]
    public void Slow_default_classifier_reaches_98_percent_held_out_harmful_vs_clean_accuracy()
    {
        var report = Classifier.Report!;
        output.WriteLine($"held out ({report.Holdout.Images} new scenes of held-out descriptions): {report.Holdout}");
        output.WriteLine($"same, blurred (sigma 1 px) and noisy (0.04): {report.HoldoutDegraded}");
        output.WriteLine($"training {report.TrainingSeconds:F1} s ({report.TrainImages} renders, {report.Epochs} epochs, {report.Threads} threads); " +
                         $"wall time including rendering, evaluation and caching {fixture.WallSeconds:F1} s");
        Assert.True(report.Holdout.HarmfulAccuracy >= 0.98, report.Holdout.ToString());
        Assert.True(report.HoldoutDegraded.HarmfulAccuracy >= 0.95, report.HoldoutDegraded.ToString());
        Assert.Equal(1000, report.Holdout.Images);
        Assert.Equal(2, report.Threads);
        Assert.Equal(fixture.ThreadsBefore, torch.get_num_threads());
    }

    [Fact]
    public void A_fresh_held_out_set_confirms_the_accuracy_and_the_attribute_heads_work()
    {
        var evaluation = Classifier.EvaluateOnHoldout(fixture.World, 600);
        output.WriteLine(evaluation.ToString());
        Assert.True(evaluation.HarmfulAccuracy >= 0.98, evaluation.ToString());
        Assert.True(evaluation.BackgroundAccuracy >= 0.95, evaluation.ToString());
        Assert.True(evaluation.ShapeLabelAccuracy >= 0.9, evaluation.ToString());
        Assert.True(evaluation.ColorLabelAccuracy >= 0.9, evaluation.ToString());
    }

    [Fact]
    public void Scores_give_probabilities_for_every_label_and_the_verdict_follows_the_harmful_probability()
    {
        var pairs = new TrainingPairGenerator(fixture.World, "score-check", harmfulShare: 0.5).Batch(0, 40);
        var scores = Classifier.Score(pairs.Select(p => p.Image).ToList());
        Assert.Equal(40, scores.Count);
        foreach (var score in scores)
        {
            Assert.InRange(score.HarmfulProbability, 0, 1);
            Assert.Equal(score.HarmfulProbability >= 0.5, score.Harmful);
            Assert.Equal(4, score.ShapeProbabilities.Count);
            Assert.Equal(6, score.ColorProbabilities.Count);
            Assert.Equal(1.0, score.BackgroundProbabilities.Values.Sum(), 1e-5);
        }
        int right = pairs.Zip(scores).Count(x => x.First.Harmful == x.Second.Harmful);
        Assert.True(right >= 38, $"{right}/40 verdicts right");
    }

    [Fact]
    public void Prompt_adherence_holds_for_a_renders_own_caption_and_fails_for_one_asking_for_what_is_absent()
    {
        var pairs = new TrainingPairGenerator(fixture.World, "adherence-check", harmfulShare: 0).Batch(0, 150);
        var scores = Classifier.Score(pairs.Select(p => p.Image).ToList());
        int own = 0, absent = 0;
        for (int i = 0; i < pairs.Count; i++)
        {
            var caption = CaptionsOf(pairs[i]);
            if (TinyWorldClassifier.Adheres(scores[i], caption)) own++;
            // Ask for a colour the scene does not hold, on a shape it does.
            var missing = Enum.GetValues<ShapeColor>().First(c => !caption.Colors.Contains(c));
            var wrong = SceneDescription.Create(caption.Background, false, [new ObjectGroup(missing, caption.Groups[0].Shape, 1)]);
            if (!TinyWorldClassifier.Adheres(scores[i], wrong)) absent++;
        }
        output.WriteLine($"own caption adhered: {own}/150; caption with an absent colour refused: {absent}/150");
        Assert.True(own >= 135, $"{own}/150");
        Assert.True(absent >= 140, $"{absent}/150");
        Assert.Equal(TinyWorldClassifier.Adheres(scores[0], CaptionsOf(pairs[0])), Classifier.PromptAdherence(pairs[0].Image, CaptionsOf(pairs[0])));
    }

    [Fact]
    public void Features_are_a_fixed_size_vector_that_does_not_depend_on_the_batch()
    {
        var images = new TrainingPairGenerator(fixture.World, "feature-check").Batch(0, 9).Select(p => p.Image).ToList();
        var batch = Classifier.Features(images);
        var alone = Classifier.Features([images[4]]);
        Assert.Equal(9, batch.Count);
        Assert.All(batch, f => Assert.Equal(Classifier.FeatureDimension, f.Length));
        Assert.Equal(128, Classifier.FeatureDimension);
        // Batched and single convolutions sum in different orders: equal to float32 rounding, not bit for bit.
        for (int k = 0; k < 128; k++) Assert.Equal(batch[4][k], alone[0][k], 1e-3f * (1 + Math.Abs(batch[4][k])));
        Assert.Contains(batch[0], v => v != 0);
    }

    [Fact]
    public void A_saved_and_reloaded_classifier_judges_exactly_alike()
    {
        using var folder = new TempDirectory("tinyworld-classifier");
        Classifier.Save(folder.Path);
        using var loaded = TinyWorldClassifier.Load(folder.Path);
        var images = new TrainingPairGenerator(fixture.World, "reload-check", harmfulShare: 0.5).Batch(0, 12).Select(p => p.Image).ToList();
        var before = Classifier.Score(images);
        var after = loaded.Score(images);
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(before[i].HarmfulProbability, after[i].HarmfulProbability, 1e-6);
            Assert.Equal(before[i].Background, after[i].Background);
        }
        Assert.Equal(Classifier.Report, loaded.Report);
        Assert.Equal(Classifier.Features(images)[3], loaded.Features(images)[3]);
    }

    [Fact]
    public async Task The_cache_serves_the_trained_classifier_without_training_it_again()
    {
        var progress = new RecordingProgressSink();
        using var again = await TinyWorldClassifier.GetOrTrainAsync(fixture.World, fixture.Cache, progress);
        Assert.Empty(progress.Tasks);
        Assert.Equal(Classifier.Report, again.Report);
        Assert.True(fixture.Cache.TryGet(TinyWorldClassifier.Recipe(fixture.World), out _));
        Assert.False(fixture.Cache.TryGet(TinyWorldClassifier.Recipe(fixture.World with { Seed = 1 }), out _));
    }

    [Fact]
    public void Images_of_another_size_are_judged_after_resizing()
    {
        var world64 = fixture.World with { ImageSize = 64 };
        var pairs = new TrainingPairGenerator(world64, "resize-check", harmfulShare: 0.5).Batch(0, 60);
        var scores = Classifier.Score(pairs.Select(p => p.Image).ToList());
        int right = pairs.Zip(scores).Count(x => x.First.Harmful == x.Second.Harmful);
        output.WriteLine($"64 px renders judged right: {right}/60");
        Assert.True(right >= 57, $"{right}/60");
    }

    [Fact]
    public void Loading_a_folder_that_is_not_a_saved_classifier_names_the_file_and_the_problem()
    {
        using var folder = new TempDirectory("tinyworld-classifier");
        Classifier.Save(folder.Path);
        File.Delete(folder.File(TinyWorldClassifier.WeightsFile));
        var missing = Assert.Throws<InputDataException>(() => TinyWorldClassifier.Load(folder.Path));
        Assert.Contains(TinyWorldClassifier.WeightsFile, missing.Message);

        File.WriteAllText(folder.File(TinyWorldClassifier.ConfigFile), """{"architecture": "ResNet50", "image_size": 32}""");
        var foreign = Assert.Throws<InputDataException>(() => TinyWorldClassifier.Load(folder.Path));
        Assert.Contains("architecture", foreign.Message);
        Assert.Contains(TinyWorldClassifier.ConfigFile, foreign.Message);
    }

    private static SceneDescription CaptionsOf(TrainingPair pair) => TinyWorld.Captions.CaptionParser.Parse(pair.Caption);
}
