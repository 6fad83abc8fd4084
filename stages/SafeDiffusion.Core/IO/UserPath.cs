namespace SafeDiffusion.Core.IO;

/// <summary>
/// A path as a user typed it (relative, with a trailing slash from shell completion or a glob like <c>runs/2*/</c>,
/// through a symbolic link) turned into the one form the program works with. Every command normalises its path
/// arguments here once, so no later <c>Path.GetFileName</c> or <c>Path.GetDirectoryName</c> sees a trailing
/// separator (which makes the file name empty and the "parent" the folder itself).
/// </summary>
public static class UserPath
{
    /// <summary>
    /// The absolute form of <paramref name="path"/>, taken from <paramref name="workingDirectory"/> when relative,
    /// with <c>.</c> and <c>..</c> folded and no trailing separator (a root such as <c>/</c> stays as it is).
    /// Symbolic links are kept as links: see <see cref="ResolveLinks"/>.
    /// </summary>
    public static string Full(string path, string workingDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, workingDirectory));
    }

    /// <summary>
    /// <paramref name="fullPath"/> with its last component followed through symbolic links to what they finally
    /// name, for code that goes on to look at the entry's parent or name (a link to a run folder names the run's
    /// real folder, whose parent is the runs folder). A path that is not a link, or a dangling one, is returned as
    /// it is.
    /// </summary>
    public static string ResolveLinks(string fullPath)
    {
        FileSystemInfo entry = Directory.Exists(fullPath) ? new DirectoryInfo(fullPath) : new FileInfo(fullPath);
        if (entry.LinkTarget is null) return fullPath;
        try
        {
            return entry.ResolveLinkTarget(returnFinalTarget: true) is { } target && target.Exists
                ? Path.TrimEndingDirectorySeparator(target.FullName)
                : fullPath;
        }
        catch (IOException)
        {
            // A link loop: leave the path for the caller's own "does not exist" message.
            return fullPath;
        }
    }
}
