namespace SafeDiffusion.Pipeline.Tests.Support;

/// <summary>Folders of the checkout the tests run from (found by walking up to the solution file).</summary>
internal static class RepositoryFolders
{
    /// <summary>The folder that holds SafeDiffusion.Pipeline.sln.</summary>
    /// <exception cref="DirectoryNotFoundException">No folder above the test binaries holds the solution file.</exception>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SafeDiffusion.Pipeline.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("SafeDiffusion.Pipeline.sln not found above the test folder");
        }
    }

    public static string Configs => Path.Combine(Root, "configs");
}
