namespace SafeDiffusion.Pipeline.Tests.Support;

/// <summary>Folders of the checkout the tests run from (found by walking up to the solution file).</summary>
internal static class RepositoryFolders
{
    public static string Configs
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SafeDiffusion.Pipeline.sln"))) return Path.Combine(dir.FullName, "configs");
            throw new DirectoryNotFoundException("configs/ not found above the test folder");
        }
    }
}
