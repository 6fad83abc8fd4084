using SafeDiffusion.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>The outcome of every case kind found in a cases folder.</summary>
public sealed record VerificationReport(IReadOnlyList<(string Case, IReadOnlyList<CaseResult> Results)> Cases, IReadOnlyList<string> Skipped)
{
    public bool Passed => Cases.Count > 0 && Cases.All(c => c.Results.All(r => r.Passed));
}

/// <summary>Runs every known reference case whose files are present (`pipeline models verify`).</summary>
public sealed class ReferenceCaseVerifier(IEnumerable<IReferenceCase> cases)
{
    private readonly IReadOnlyList<IReferenceCase> _cases = cases.ToList();

    public static ReferenceCaseVerifier Default() => new(ReferenceCases.All);

    public VerificationReport Run(string modelDirectory, string casesDirectory, Action<string, IReadOnlyList<CaseResult>>? onCase = null)
    {
        var done = new List<(string, IReadOnlyList<CaseResult>)>();
        var skipped = new List<string>();
        foreach (var c in _cases)
        {
            if (!c.IsPresent(casesDirectory))
            {
                skipped.Add(c.Name);
                continue;
            }
            var results = c.Run(modelDirectory, casesDirectory);
            done.Add((c.Name, results));
            onCase?.Invoke(c.Name, results);
        }
        return new VerificationReport(done, skipped);
    }
}

/// <summary>Every case kind the project knows. Add new kinds here.</summary>
public static class ReferenceCases
{
    public static IReadOnlyList<IReferenceCase> All =>
    [
        new TokenizerCase(),
        new TextEncoderCase(),
        new ClipVisionCase(),
        new SafetyCheckerCase(),
        new UnetCase(),
        new VaeCase(),
        new SchedulersCase(),
        new DdpmTrainCase(),
        new Txt2ImgCase(modelDirectory => ClipTextEncoder.FromModelFolder(modelDirectory, ScalarType.Float32, CPU)),
    ];
}
