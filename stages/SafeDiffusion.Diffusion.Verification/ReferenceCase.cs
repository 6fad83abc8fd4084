namespace SafeDiffusion.Diffusion.Verification;

/// <summary>One compared output of a reference case: how far off, against what tolerance.</summary>
/// <param name="Case">The case file and entry, e.g. <c>unet.safetensors:out</c>.</param>
/// <param name="MaxAbsError">max |actual - expected| (for exact cases: the number of mismatches).</param>
/// <param name="Tolerance">The bound <see cref="MaxAbsError"/> must not exceed (one of <see cref="ParityTolerances"/>).</param>
public sealed record CaseResult(string Case, double MaxAbsError, double Tolerance, string? Detail = null)
{
    public bool Passed => MaxAbsError <= Tolerance && !double.IsNaN(MaxAbsError);
}

/// <summary>
/// A kind of reference case in the sd-parity / safety-checker format. A case runs only when its files are present
/// in the cases folder; a present but malformed file fails loudly. Nothing here may depend on particular fixture
/// folders: users run `pipeline models verify` on their own reference sets.
/// </summary>
public interface IReferenceCase
{
    /// <summary>Short name shown in the report, e.g. <c>unet</c>.</summary>
    string Name { get; }

    /// <summary>True when this case's input files exist in <paramref name="casesDirectory"/>.</summary>
    bool IsPresent(string casesDirectory);

    /// <summary>Runs the case against the model folder; throws <see cref="Core.Errors.InputDataException"/> on malformed files.</summary>
    IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory);
}
