using System.Text.Json;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Report;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Evaluation.Summary;

namespace SafeDiffusion.Evaluation.Tests.Summary;

/// <summary>Three seeds of one experiment, made by hand, summarised across seeds.</summary>
public class SeedAggregationTests
{
    private static EvalSummary Seed(long safeAfterFlagged, ClaimVerdict verdict, double safeFid, double? kid = null)
    {
        HarmfulRateCell Cell(EvalVariant v, bool attacked, long flagged) => new(v, attacked, null, null, flagged, 10, flagged / 10.0, 0, 1);
        var pooled = new[]
        {
            Cell(EvalVariant.Base, false, 9), Cell(EvalVariant.Base, true, 10),
            Cell(EvalVariant.Safe, false, 0), Cell(EvalVariant.Safe, true, safeAfterFlagged),
        };
        var part = new ClaimPart(verdict, $"{verdict} evidence.");
        return new EvalSummary
        {
            Settings = new EvalRunSettings(),
            PromptSets = [],
            // A per-set cell and a per-category cell must not be counted again in the pooled rates.
            HarmfulRates = [new HarmfulRateCell(EvalVariant.Safe, true, "holdout-harmful", null, 10, 10, 1, 0, 1)],
            PooledHarmfulRates = [.. pooled, new HarmfulRateCell(EvalVariant.Safe, true, null, "violence", 10, 10, 1, 0, 1)],
            CategoryRates = [],
            Quality =
            [
                new QualityCell(EvalVariant.Base, false, "holdout-clean", 10, 100, null, null, null, 0.9),
                new QualityCell(EvalVariant.Safe, false, "holdout-clean", 10, safeFid, null, null, null, 0.8, kid),
            ],
            Claim = new ClaimCheck(verdict, ClaimCheck.ClaimStatement, part, part, ClaimCriteria.Default),
        };
    }

    private static SeedsSummary ThreeSeeds(ClaimVerdict second = ClaimVerdict.Holds) => SeedAggregation.Aggregate(
    [
        new SeedEvaluation("seed-1", 1234, "evaluate@seed-1", Seed(3, ClaimVerdict.Holds, 100, kid: 0.002)),
        new SeedEvaluation("seed-2", 555, "evaluate@seed-2", Seed(5, second, 110)),
        new SeedEvaluation("seed-3", 777, "evaluate@seed-3", Seed(7, ClaimVerdict.Holds, 130, kid: 0.004)),
    ]);

    [Fact]
    public void Each_arm_gets_the_mean_and_spread_of_the_seeds_rates_and_the_rate_pooled_over_all_their_images()
    {
        var safeAfter = ThreeSeeds().HarmfulRates.Single(a => a.Arm == new EvalArm(EvalVariant.Safe, true));

        // 3/10, 5/10, 7/10: mean 0.5, range 0.3-0.7, sample SD sqrt((0.2^2 + 0 + 0.2^2) / 2) = 0.2.
        Assert.Equal([0.3, 0.5, 0.7], safeAfter.PerSeed);
        Assert.Equal(0.5, safeAfter.Rate.Mean, 12);
        Assert.Equal(0.3, safeAfter.Rate.Min, 12);
        Assert.Equal(0.7, safeAfter.Rate.Max, 12);
        Assert.Equal(0.2, safeAfter.Rate.StandardDeviation!.Value, 12);
        // Pooled: 15 of 30 images; Wilson at p = 1/2, n = 30, z = 1.96: 0.5 +- (1.96 / (1 + 1.96^2/30)) * sqrt(0.25/30 + 1.96^2/3600).
        Assert.Equal((15L, 30L), (safeAfter.Flagged, safeAfter.Total));
        Assert.Equal(0.5, safeAfter.PooledRate, 12);
        Assert.Equal(0.3315, safeAfter.PooledLower, 3);
        Assert.Equal(0.6685, safeAfter.PooledUpper, 3);
    }

    [Fact]
    public void Every_arm_the_evaluations_report_appears_in_the_matrix_order()
    {
        var arms = ThreeSeeds().HarmfulRates.Select(a => a.Arm.Key);

        Assert.Equal(["base-before", "base-after", "safe-before", "safe-after"], arms);
    }

    [Fact]
    public void Quality_figures_get_their_mean_and_spread_over_the_seeds_that_measured_them()
    {
        var safe = ThreeSeeds().Quality.Single(q => q.Arm == new EvalArm(EvalVariant.Safe, false));

        // FD 100, 110, 130: mean 113.33, sample SD sqrt((13.33^2 + 3.33^2 + 16.67^2) / 2) = 15.275.
        Assert.Equal(340 / 3.0, safe.Fid!.Mean, 9);
        Assert.Equal((100.0, 130.0), (safe.Fid.Min, safe.Fid.Max));
        Assert.Equal(15.2753, safe.Fid.StandardDeviation!.Value, 4);
        // KID was measured by two seeds only.
        Assert.Equal(2, safe.Kid!.Count);
        Assert.Equal(0.003, safe.Kid.Mean, 12);
        Assert.Equal(0.8, safe.Adherence!.Mean, 12);
        Assert.Null(safe.ClipScore);
    }

    [Fact]
    public void The_claim_holds_across_seeds_only_when_it_holds_in_every_seed()
    {
        var all = ThreeSeeds();
        var one = ThreeSeeds(second: ClaimVerdict.DoesNotHold);
        var undecided = ThreeSeeds(second: ClaimVerdict.Inconclusive);

        Assert.Equal(ClaimVerdict.Holds, all.Verdict);
        Assert.Equal("Holds across seeds: the claim holds in 3 of 3 seed(s).", all.VerdictText);
        Assert.Equal(ClaimVerdict.DoesNotHold, one.Verdict);
        Assert.Equal("seed-2", Assert.Single(one.NotHolding).Name);
        Assert.Contains("not in seed-2 (seed 555: DoesNotHold)", one.VerdictText);
        Assert.Equal(ClaimVerdict.Inconclusive, undecided.Verdict);
    }

    [Fact]
    public void The_seeds_table_shows_the_verdict_the_spread_and_each_seed()
    {
        var md = SeedsMarkdown.Render(ThreeSeeds(second: ClaimVerdict.DoesNotHold), "tiny", "run-1");

        Assert.Contains("**DoesNotHold across seeds: the claim holds in 2 of 3 seed(s); not in seed-2 (seed 555: DoesNotHold).**", md);
        Assert.Contains("| safe, after attack | 50.0 % | 30.0 % - 70.0 % | 20.0 pts | 50.0 % (15/30) | 33.2 % - 66.8 % | 30.0 %, 50.0 %, 70.0 % |", md);
        Assert.Contains("| seed-2 | 555 | DoesNotHold |", md);
    }

    [Fact]
    public void Seeds_json_reads_back_as_written()
    {
        var summary = ThreeSeeds();
        var json = JsonSerializer.Serialize(summary, EvalSummaryJson.Options);
        var read = JsonSerializer.Deserialize<SeedsSummary>(json, EvalSummaryJson.Options)!;

        Assert.Contains("\"verdict\": \"holds\"", json);
        Assert.Equal(json, JsonSerializer.Serialize(read, EvalSummaryJson.Options));
    }

    [Fact]
    public void Compare_over_seeds_gives_each_variant_the_mean_and_range_and_names_the_seeds_that_fail()
    {
        var row = ComparisonStage.AcrossSeeds("lt", "LT", ThreeSeeds(second: ClaimVerdict.DoesNotHold), "reports");
        var md = ComparisonStage.Markdown([row], "tiny", "run-1");

        Assert.Equal(0.5, row.SafeAfter!.Value, 12);
        Assert.Contains("| LT | 90.0 % (90.0 % - 90.0 %) | 100.0 % (100.0 % - 100.0 %) | 0.0 % (0.0 % - 0.0 %) | 50.0 % (30.0 % - 70.0 %) | 100.00 (100.00 - 100.00) | 113.33 (100.00 - 130.00) |", md);
        Assert.Contains("DoesNotHold: holds in 2 of 3 seeds, not in seed-2 |", md);
    }
}
