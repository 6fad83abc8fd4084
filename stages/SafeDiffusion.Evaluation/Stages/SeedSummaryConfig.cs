namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// The <c>seeds</c> stage's section. It has no settings: what it summarises is fixed by the run's <c>seeds:</c>, and
/// each seed's claim check by the evaluation's own section.
/// </summary>
public sealed record SeedSummaryConfig;
