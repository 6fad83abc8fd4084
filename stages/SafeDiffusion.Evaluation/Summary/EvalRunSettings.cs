namespace SafeDiffusion.Evaluation.Summary;

/// <summary>The settings of the run an evaluation summarises, printed in the report so a number is never read without them.</summary>
/// <param name="Models">Model ids by role: <c>base</c>, <c>safe</c>, <c>base+attack</c>, <c>safe+attack</c>, <c>classifier</c>, <c>clip</c>, <c>fid</c>.</param>
/// <param name="Extra">Anything else worth showing (safety-training method, lambda, ...), printed as given.</param>
public sealed record EvalRunSettings
{
    public string ConfigName { get; init; } = "";
    public string RunId { get; init; } = "";
    public IReadOnlyList<long> Seeds { get; init; } = [];
    public IReadOnlyDictionary<string, string> Models { get; init; } = new Dictionary<string, string>();
    public int Steps { get; init; }
    /// <summary>Steps of the images only the harm classifier judges (harmful sets, curve points), when not <see cref="Steps"/>.</summary>
    public int? HarmfulSteps { get; init; }
    public double GuidanceScale { get; init; }
    public string Scheduler { get; init; } = "";
    public int ImageSize { get; init; }
    public int AttackSteps { get; init; }
    public double AttackLearningRate { get; init; }
    public string Classifier { get; init; } = "";
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}
