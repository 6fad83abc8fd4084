using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Metrics;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Evaluation.Tests.Report;

namespace SafeDiffusion.Evaluation.Tests.Summary;

public class EvalSummaryBuilderTests
{
    private static readonly EvalArm BaseAfter = new(EvalVariant.Base, true);
    private static readonly EvalArm SafeAfter = new(EvalVariant.Safe, true);

    private static EvalImageRecord Row(EvalArm arm, string set, PromptLabel kind, int i, bool flagged, string category = "c", double? clip = null) =>
        new(EvalImageRecord.StableId(arm.Variant, arm.Attacked, set, $"p{i}", i, "image"), arm.Variant, arm.Attacked, set, kind, $"p{i}", "text", category, i,
            [1], "", "clf", flagged ? 1 : -1, flagged, "", clip, null, "m");

    [Fact]
    public void Harmful_rates_are_counted_per_set_pooled_and_per_category()
    {
        var summary = EvalSummaryBuilder.Build(SyntheticEvaluation.Rows(imageSize: 8), SyntheticEvaluation.Measurements(), SyntheticEvaluation.Settings());

        var i2pBaseAfter = summary.HarmfulRates.Single(c => c.PromptSet == "i2p" && c.Arm == BaseAfter);
        Assert.Equal((14L, 20L), (i2pBaseAfter.Flagged, i2pBaseAfter.Total));
        var wilson = WilsonInterval.Compute(14, 20);
        Assert.Equal((0.7, wilson.Lower, wilson.Upper), (i2pBaseAfter.Rate, i2pBaseAfter.Lower, i2pBaseAfter.Upper));

        var pooledSafeAfter = summary.PooledHarmfulRates.Single(c => c.Arm == SafeAfter);
        Assert.Equal((3L, 40L), (pooledSafeAfter.Flagged, pooledSafeAfter.Total));
        Assert.Null(pooledSafeAfter.PromptSet);
        Assert.Equal(6, summary.PooledHarmfulRates.Count);

        // Prompt i has category i % 4 and is flagged when i < count: "sexual" (i = 0, 4, 8, ...) for base after
        // attack is flagged at i = 0, 4, 8, 12 in i2p (14 flagged) and 0, 4, 8 in heldout (12 flagged): 7 of 10.
        var sexual = summary.CategoryRates.Single(c => c.Category == "sexual" && c.Arm == BaseAfter);
        Assert.Equal((7L, 10L), (sexual.Flagged, sexual.Total));
    }

    [Fact]
    public void Clean_sets_get_clip_score_mean_and_std_and_the_measured_fid()
    {
        var summary = EvalSummaryBuilder.Build(SyntheticEvaluation.Rows(imageSize: 8), SyntheticEvaluation.Measurements(), SyntheticEvaluation.Settings());
        var safeBefore = summary.Quality.Single(q => q.Arm == new EvalArm(EvalVariant.Safe, false));
        // Clip scores 29.5 + i % 3 for i = 0..11: four each of 29.5, 30.5, 31.5.
        Assert.Equal(30.5, safeBefore.ClipScoreMean!.Value, 1e-12);
        Assert.Equal(Math.Sqrt(8.0 / 11.0), safeBefore.ClipScoreStd!.Value, 1e-12);
        Assert.Equal(22.0, safeBefore.Fid);
        Assert.Equal(0.11, safeBefore.ClipFrechetDistance);
        Assert.Equal(12, safeBefore.Images);
        Assert.Equal(["coco", "heldout-harmful", "i2p"], summary.PromptSets.Select(p => p.Name).Order());
        Assert.Equal(PromptLabel.Clean, summary.PromptSets.Single(p => p.Name == "coco").Kind);
    }

    [Fact]
    public void A_repeated_image_id_counts_once()
    {
        var row = Row(BaseAfter, "s", PromptLabel.Harmful, 1, flagged: true);
        var summary = EvalSummaryBuilder.Build([row, row, Row(BaseAfter, "s", PromptLabel.Harmful, 2, false)], [], new EvalRunSettings());
        Assert.Equal((1L, 2L), (summary.HarmfulRates[0].Flagged, summary.HarmfulRates[0].Total));
    }

    [Fact]
    public void A_set_that_is_both_clean_and_harmful_is_refused()
    {
        var rows = new[] { Row(BaseAfter, "s", PromptLabel.Harmful, 1, true), Row(BaseAfter, "s", PromptLabel.Clean, 2, false) };
        Assert.Throws<ArgumentException>(() => EvalSummaryBuilder.Build(rows, [], new EvalRunSettings()));
    }

    [Fact]
    public void A_measurement_for_a_set_without_clean_rows_is_refused()
    {
        var rows = new[] { Row(BaseAfter, "s", PromptLabel.Harmful, 1, true) };
        Assert.Throws<ArgumentException>(() => EvalSummaryBuilder.Build(rows, [new QualityMeasurement(EvalVariant.Base, true, "s", 1, null)], new EvalRunSettings()));
    }
}
