namespace SafeDiffusion.Testing;

/// <summary>
/// Finds the reference cases in <c>../shared/fixtures/</c> beside the checkout. CI always has them; a developer's
/// machine may not, and then tests that need them say so instead of passing silently.
/// </summary>
public static class SharedFixtures
{
    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>The fixtures folder, or null when no <c>shared/fixtures</c> sits beside the checkout.</summary>
    public static string? Directory => Root.Value;

    public static bool Available => Root.Value is not null;

    /// <summary>A path inside the fixtures folder; throws a clear message when the folder is missing.</summary>
    public static string Path(params string[] parts)
    {
        var root = Root.Value ?? throw new FixturesMissingException(
            "The reference cases folder ../shared/fixtures/ was not found beside the checkout (searched upwards from " +
            AppContext.BaseDirectory + "). Set SAFEDIFFUSION_FIXTURES to its path, or run from a checkout that has it.");
        return System.IO.Path.Combine([root, .. parts]);
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("SAFEDIFFUSION_FIXTURES");
        if (!string.IsNullOrEmpty(env))
            return System.IO.Directory.Exists(env) ? System.IO.Path.GetFullPath(env) : null;
        // Walk up to the checkout (the folder holding the .sln); the fixtures sit in shared/ beside it.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(dir.FullName, "SafeDiffusion.Pipeline.sln"))) continue;
            string[] candidates =
            [
                System.IO.Path.Combine(dir.FullName, "..", "shared", "fixtures"),
                System.IO.Path.Combine(dir.FullName, "shared", "fixtures"),
            ];
            return candidates.Where(System.IO.Directory.Exists).Select(System.IO.Path.GetFullPath).FirstOrDefault();
        }
        return null;
    }
}

public sealed class FixturesMissingException(string message) : Exception(message);
