namespace SafeDiffusion.Diffusion.Tests.FullSize;

/// <summary>
/// Where the full-size reference sets are: the folder named by <c>SD_FULLSIZE_CASES</c>, holding one folder per set
/// (<c>sd14full</c>, <c>sd21full</c>), each with <c>model/</c> and <c>cases/</c> as the shared generator
/// (<c>../shared/tools/make_sd_fixtures.py</c>) writes them. The sets are about 4-5 GB each and are never committed
/// or shipped, so the tests that need them run only where a person generated them (docs/real-models.md,
/// "Full-size parity").
/// </summary>
internal static class FullSizeReferenceSets
{
    public const string EnvironmentVariable = "SD_FULLSIZE_CASES";

    /// <summary>The folder holding the sets, or null when <see cref="EnvironmentVariable"/> is unset or empty.</summary>
    public static string? Root =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } root ? root : null;

    /// <summary>Why the full-size tests did not run, or null when they can.</summary>
    public static string? SkipReason => Root is null
        ? $"{EnvironmentVariable} is not set, so the full-size parity checks did not run. Generate sd14full and sd21full " +
          "with ../shared/tools/make_sd_fixtures.py and set it to the folder holding them (docs/real-models.md, 'Full-size parity')."
        : null;

    /// <summary>The <c>model</c> and <c>cases</c> folders of <paramref name="set"/>; throws naming the folder when it is missing.</summary>
    public static (string Model, string Cases) Folders(string set)
    {
        var root = Root ?? throw new InvalidOperationException(SkipReason);
        var model = Path.Combine(root, set, "model");
        var cases = Path.Combine(root, set, "cases");
        foreach (var dir in new[] { model, cases })
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException(
                    $"{EnvironmentVariable}={root} has no folder {dir}. Generate the set '{set}' there with " +
                    $"../shared/tools/make_sd_fixtures.py ROOT {set} SEED {set}, or point {EnvironmentVariable} at the folder that holds it.");
        return (model, cases);
    }
}
