using SafeDiffusion.Evaluation.Metrics;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>One seed's evaluation summary, named by the copy of the seeded stages that produced it.</summary>
public sealed record SeedEvaluation(string Name, long Seed, string EvaluateStage, EvalSummary Summary);

/// <summary>
/// Summarises evaluations of the same experiment under independent seeds (<see cref="SeedsSummary"/>). Arms and
/// clean sets are taken from the summaries as they are, so any arm an evaluation reports appears.
/// </summary>
public static class SeedAggregation
{
    /// <exception cref="ArgumentException"><paramref name="seeds"/> is empty.</exception>
    public static SeedsSummary Aggregate(IReadOnlyList<SeedEvaluation> seeds)
    {
        if (seeds.Count == 0) throw new ArgumentException("at least one seed's evaluation is needed.", nameof(seeds));
        var pooled = seeds
            .SelectMany(s => s.Summary.PooledHarmfulRates.Where(c => c.PromptSet is null && c.Category is null))
            .GroupBy(c => c.Arm)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var cells = g.ToList();
                var all = HarmfulRate.Pool(cells.Select(c => new HarmfulRate(c.Flagged, c.Total, c.Rate, c.Lower, c.Upper)));
                return new ArmRateAcrossSeeds(g.Key.Variant, g.Key.Attacked, cells.Select(c => c.Rate).ToList(), SeedSpread.Of(cells.Select(c => c.Rate))!,
                    all.Flagged, all.Total, all.Rate, all.Lower, all.Upper);
            })
            .ToList();
        var quality = seeds
            .SelectMany(s => s.Summary.Quality)
            .GroupBy(q => (q.Arm, q.PromptSet))
            .OrderBy(g => g.Key.PromptSet, StringComparer.Ordinal).ThenBy(g => g.Key.Arm)
            .Select(g => new QualityAcrossSeeds(g.Key.Arm.Variant, g.Key.Arm.Attacked, g.Key.PromptSet,
                SeedSpread.Of(g.Select(q => q.Fid)), SeedSpread.Of(g.Select(q => q.Kid)),
                SeedSpread.Of(g.Select(q => q.AdherenceMean)), SeedSpread.Of(g.Select(q => q.ClipScoreMean))))
            .ToList();
        var outcomes = seeds
            .Select(s => new SeedOutcome(s.Name, s.Seed, s.EvaluateStage, s.Summary.Claim.Verdict,
                $"{s.Summary.Claim.Robustness.Evidence} {s.Summary.Claim.Quality.Evidence}".Trim()))
            .ToList();
        return new SeedsSummary(outcomes, pooled, quality, Across(outcomes.Select(o => o.Verdict)));
    }

    /// <summary>
    /// The verdict across seeds: the claim holds only when it holds in every seed; it does not hold when it fails in
    /// any; otherwise (some seed could not decide) it is inconclusive.
    /// </summary>
    public static ClaimVerdict Across(IEnumerable<ClaimVerdict> verdicts)
    {
        var list = verdicts.ToList();
        if (list.Count > 0 && list.All(v => v == ClaimVerdict.Holds)) return ClaimVerdict.Holds;
        return list.Contains(ClaimVerdict.DoesNotHold) ? ClaimVerdict.DoesNotHold : ClaimVerdict.Inconclusive;
    }
}
