namespace SafeDiffusion.TinyWorld.Tests.Support;

/// <summary>The checkout's root (the folder holding the .sln), for tests that read shipped files under configs/.</summary>
public static class RepositoryRoot
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SafeDiffusion.Pipeline.sln")))
                return System.IO.Path.Combine([dir.FullName, .. parts]);
        throw new InvalidOperationException($"no SafeDiffusion.Pipeline.sln above {AppContext.BaseDirectory}; run the tests from a checkout.");
    }
}
