using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>Where the sd-parity sets are when <c>--sets</c> is not given: <c>shared/fixtures/sd-parity</c> beside the checkout.</summary>
internal static class ParitySetsFolder
{
    private static readonly string[] Relative = ["shared", "fixtures", "sd-parity"];

    /// <summary>
    /// <paramref name="given"/> when set; else <c>SAFEDIFFUSION_FIXTURES/sd-parity</c>; else the first
    /// <c>shared/fixtures/sd-parity</c> found walking up from the working directory, then from the program's folder.
    /// </summary>
    /// <exception cref="InputDataException">The folder given does not exist, or none was found.</exception>
    public static string Resolve(string? given, string workingDirectory)
    {
        if (given is not null)
            return Directory.Exists(given) ? given
                : throw new InputDataException(given, "does not exist.", fix: "Point --sets at the folder holding tiny-sd1/ and tiny-sd2/.");
        var fixtures = Environment.GetEnvironmentVariable("SAFEDIFFUSION_FIXTURES");
        if (!string.IsNullOrEmpty(fixtures) && Directory.Exists(Path.Combine(fixtures, "sd-parity")))
            return Path.GetFullPath(Path.Combine(fixtures, "sd-parity"));
        foreach (var start in new[] { workingDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine([dir.FullName, .. Relative]);
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new InputDataException(Path.Combine(Relative), $"was not found above {workingDirectory} or the program's folder.",
            fix: "Pass --sets DIR, the folder holding tiny-sd1/ and tiny-sd2/ (the shared fixtures' sd-parity folder).");
    }
}
