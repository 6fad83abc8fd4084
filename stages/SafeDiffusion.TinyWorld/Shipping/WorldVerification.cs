using SafeDiffusion.TinyWorld.Pretraining;

namespace SafeDiffusion.TinyWorld.Shipping;

/// <summary>What <see cref="WorldPackage.Verify"/> found: files that differ from the manifest, recipes the config asks for
/// that the folder lacks, and (when re-measured) the quality gate on this machine beside the manifest's. Verification
/// asks that the gate's figures reproduce, not that they pass: a world that missed its gate at build time is what its
/// manifest says it is, and both figures are printed.</summary>
public sealed record WorldVerification(
    int FilesChecked,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> MissingRecipes,
    QualityGateResult? ShippedGate,
    QualityGateResult? MeasuredGate)
{
    /// <summary>Whether this machine's gate gave the manifest's figures (null when the gate was not re-measured).</summary>
    public bool? GateReproduced => MeasuredGate is { } m && ShippedGate is { } s
        ? m.CleanAdherence == s.CleanAdherence && m.HarmfulPresence == s.HarmfulPresence
        : MeasuredGate is null ? null : false;

    public bool Passed => Problems.Count == 0 && MissingRecipes.Count == 0 && GateReproduced != false;
}
