using System.Runtime.InteropServices;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Core.Runs;

/// <summary>
/// The permissions of what a run writes. Runs hold harmful prompts and the images made from them, so by default
/// only the owner may write and only the owner's group may read: files 0640, folders 0750. <c>runs.file-mode</c>
/// and <c>runs.folder-mode</c> in the config change them (octal, as chmod takes them).
/// </summary>
public sealed record RunFileModes(UnixFileMode File, UnixFileMode Folder)
{
    public const string DefaultFileMode = "0640";
    public const string DefaultFolderMode = "0750";

    public static RunFileModes Default { get; } = new(
        (UnixFileMode)Convert.ToInt32(DefaultFileMode, 8), (UnixFileMode)Convert.ToInt32(DefaultFolderMode, 8));

    /// <summary>The modes a config's <c>runs</c> section names (validated there).</summary>
    public static RunFileModes From(RunsConfig runs) =>
        new(ParseOctal(runs.FileMode) ?? Default.File, ParseOctal(runs.FolderMode) ?? Default.Folder);

    /// <summary>An octal mode of at most 0777, or null.</summary>
    public static UnixFileMode? ParseOctal(string text)
    {
        var t = text.Trim();
        if (t.Length is 0 or > 4 || t.Any(c => c is < '0' or > '7')) return null;
        return (UnixFileMode)Convert.ToInt32(t, 8);
    }

    /// <summary>
    /// Sets the process umask to what the folder mode leaves out, so that every file and folder this process
    /// creates afterwards (stage outputs written by libraries as well as by the run store) is no more open than
    /// the configured modes: with 0640 files and 0750 folders the umask is 0027. A umask cannot tell files from
    /// folders, so it removes what either mode leaves out (files are created 0666, folders 0777 before it); the
    /// files and folders the run store makes get their exact modes set explicitly.
    /// </summary>
    public void ApplyToProcess()
    {
        if (OperatingSystem.IsWindows()) return;
        Libc.umask(Umask);
    }

    /// <summary>The umask <see cref="ApplyToProcess"/> sets.</summary>
    public uint Umask => (uint)((~(int)Folder & 0x1FF) | (~(int)File & 0x1B6));

    /// <summary>Gives a file the file mode (no-op on Windows).</summary>
    public void ApplyToFile(string path)
    {
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, File);
    }

    /// <summary>Gives a folder the folder mode (no-op on Windows).</summary>
    public void ApplyToFolder(string path)
    {
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, Folder);
    }

    private static class Libc
    {
        [DllImport("libc", SetLastError = false)]
        internal static extern uint umask(uint mask);
    }
}
