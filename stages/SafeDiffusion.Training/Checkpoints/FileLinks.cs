using System.Runtime.InteropServices;

namespace SafeDiffusion.Training.Checkpoints;

/// <summary>Copies a folder tree file by file, hard-linking where the file system allows it.</summary>
internal static class FileLinks
{
    /// <returns>How many files were copied rather than linked.</returns>
    public static int LinkOrCopyTree(string source, string destination, bool tryLink)
    {
        int copied = 0;
        Directory.CreateDirectory(destination);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, dir)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            // Links resolve to the file they name, so a linked base model links (or copies) its real files.
            var real = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file;
            if (tryLink && TryHardLink(real, target)) continue;
            File.Copy(real, target, overwrite: true);
            copied++;
        }
        return copied;
    }

    private static bool TryHardLink(string existing, string link)
    {
        if (OperatingSystem.IsWindows()) return false;
        return Libc.link(existing, link) == 0;
    }

    private static class Libc
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
    }
}
