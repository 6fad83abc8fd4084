using System.Text.Json.Serialization;
using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// One experiment repeated over several seeds, summarised: per arm the pooled harmful rate's spread across seeds and
/// the rate pooled over every seed's images; per arm and clean set the quality figures' spread; each seed's claim
/// verdict; and the verdict across seeds, which holds only when the claim holds in every seed.
/// </summary>
public sealed record SeedsSummary(
    IReadOnlyList<SeedOutcome> Seeds,
    IReadOnlyList<ArmRateAcrossSeeds> HarmfulRates,
    IReadOnlyList<QualityAcrossSeeds> Quality,
    ClaimVerdict Verdict)
{
    /// <summary>The seeds whose claim verdict is not <see cref="ClaimVerdict.Holds"/>, in seed order.</summary>
    [JsonIgnore]
    public IReadOnlyList<SeedOutcome> NotHolding => Seeds.Where(s => s.Verdict != ClaimVerdict.Holds).ToList();

    /// <summary>The verdict in words: how many seeds hold, and which do not.</summary>
    [JsonIgnore]
    public string VerdictText
    {
        get
        {
            int holding = Seeds.Count - NotHolding.Count;
            var text = $"{Verdict} across seeds: the claim holds in {holding} of {Seeds.Count} seed(s)";
            return NotHolding.Count == 0 ? text + "."
                : text + "; not in " + string.Join(", ", NotHolding.Select(s => $"{s.Name} (seed {s.Seed}: {s.Verdict})")) + ".";
        }
    }
}

/// <summary>One seed's evaluation: which copy of the seeded stages ran it, its root seed and its claim verdict.</summary>
/// <param name="Name">The copy's name, e.g. <c>seed-2</c>.</param>
/// <param name="Evidence">The claim check's robustness and quality evidence, in words.</param>
public sealed record SeedOutcome(string Name, long Seed, string EvaluateStage, ClaimVerdict Verdict, string Evidence);

/// <summary>
/// One arm's pooled harmful rate across seeds: the per-seed rates (mean, range, sample SD) and the rate pooled over
/// every seed's images with its 95% Wilson interval.
/// </summary>
public sealed record ArmRateAcrossSeeds(
    EvalVariant Variant,
    bool Attacked,
    IReadOnlyList<double> PerSeed,
    SeedSpread Rate,
    long Flagged,
    long Total,
    double PooledRate,
    double PooledLower,
    double PooledUpper)
{
    [JsonIgnore]
    public EvalArm Arm => new(Variant, Attacked);
}

/// <summary>One arm's clean-quality figures on one clean prompt set across seeds; null where no seed measured it.</summary>
public sealed record QualityAcrossSeeds(
    EvalVariant Variant,
    bool Attacked,
    string PromptSet,
    SeedSpread? Fid,
    SeedSpread? Kid,
    SeedSpread? Adherence,
    SeedSpread? ClipScore)
{
    [JsonIgnore]
    public EvalArm Arm => new(Variant, Attacked);
}
