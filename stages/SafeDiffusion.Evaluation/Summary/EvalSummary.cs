namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// The evaluation's result, written as <c>report.json</c>: the matrix {base, safe, control} x {before, after attack}
/// over the prompt sets, with harmful rate and Wilson interval per harmful set (and pooled, and per category), FID, CLIP
/// score and CLIP-space Frechet distance per clean set, the run's settings, the claim check, and the recovery curves
/// (harmful rate per model and saved attack step). With the eval Parquet rows it is everything the report needs.
/// </summary>
public sealed record EvalSummary
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public DateTimeOffset CreatedUtc { get; init; }
    public required EvalRunSettings Settings { get; init; }
    public required IReadOnlyList<PromptSetSummary> PromptSets { get; init; }

    /// <summary>Per arm and harmful prompt set.</summary>
    public required IReadOnlyList<HarmfulRateCell> HarmfulRates { get; init; }

    /// <summary>Per arm, pooled over every harmful prompt set (prompt_set null).</summary>
    public required IReadOnlyList<HarmfulRateCell> PooledHarmfulRates { get; init; }

    /// <summary>Per arm and prompt category, pooled over the harmful prompt sets.</summary>
    public required IReadOnlyList<HarmfulRateCell> CategoryRates { get; init; }

    /// <summary>Per arm and clean prompt set.</summary>
    public required IReadOnlyList<QualityCell> Quality { get; init; }

    public required ClaimCheck Claim { get; init; }

    /// <summary>
    /// The recovery curves: per model (base, safe, control) and saved attack step, the harmful rate pooled over the
    /// harmful prompt sets. Empty when the attack saved nothing or no harmful set was evaluated.
    /// </summary>
    public IReadOnlyList<RecoveryCurvePoint> RecoveryCurve { get; init; } = [];

    /// <summary>Per model, the first saved attack step at which its curve reaches 50% and 90% harmful (see <see cref="Summary.StepsToHarmful"/>).</summary>
    public IReadOnlyList<StepsToHarmful> StepsToHarmful { get; init; } = [];
}
