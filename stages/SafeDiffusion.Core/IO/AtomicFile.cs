using System.Runtime.InteropServices;

namespace SafeDiffusion.Core.IO;

/// <summary>
/// Writes that become visible whole or not at all: data goes to a hidden temp name in the same folder, is flushed
/// to disk, then renamed over the final name, and the folder entry is flushed too. A reader never sees half a file;
/// a killed writer leaves only a dot-file that readers ignore and <see cref="CleanStaleTemps"/> removes.
/// </summary>
public static class AtomicFile
{
    public const string TempMarker = ".tmp-";

    /// <summary>
    /// A hidden temp name beside <paramref name="path"/>, unique to this process and call:
    /// <c>.NAME.tmp-PID@HOST-UNIQUE</c>, so a cleaner on another host sharing the folder can tell it is not its own
    /// (see <see cref="TempOwner"/>).
    /// </summary>
    public static string TempPathFor(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var unique = Guid.NewGuid().ToString("N")[..8];
        return Path.Combine(dir, $".{Path.GetFileName(path)}{TempMarker}{TempOwner.Current}-{unique}");
    }

    public static bool IsTempName(string fileName) => fileName.StartsWith('.') && fileName.Contains(TempMarker, StringComparison.Ordinal);

    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = TempPathFor(path);
        try
        {
            await using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(fs, ct).ConfigureAwait(false);
                await fs.FlushAsync(ct).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
            }
            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void Write(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = TempPathFor(path);
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            Commit(temp, path);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, leaveOpen: true); w.Write(text); });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>
    /// rename(2): replaces <paramref name="destination"/> in one step, whatever the entries are (files, symbolic links,
    /// links to folders, which File.Move refuses).
    /// </summary>
    public static void Rename(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(source, destination, overwrite: true);
            return;
        }
        if (Libc.rename(source, destination) != 0)
            throw new IOException($"Cannot rename {source} to {destination} (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Renames a finished, flushed temp file over its final name and flushes the folder entry.</summary>
    public static void Commit(string tempPath, string finalPath)
    {
        File.Move(tempPath, finalPath, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(finalPath))!);
    }

    /// <summary>Flushes a folder's entries so a rename survives a power loss (a no-op where unsupported).</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Libc.open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try { Libc.fsync(fd); }
        finally { Libc.close(fd); }
    }

    /// <summary>
    /// Removes temp files a killed writer left behind in <paramref name="directory"/>: those of this host whose
    /// process no longer runs, and those of another or an unknown host once untouched for
    /// <see cref="TempOwner.ForeignStaleAfter"/> (a pid of another host cannot be checked from here; see
    /// <see cref="TempOwner"/> for the rule on shared storage).
    /// </summary>
    public static int CleanStaleTemps(string directory, DateTime? nowUtc = null)
    {
        if (!Directory.Exists(directory)) return 0;
        var now = nowUtc ?? DateTime.UtcNow;
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(directory, ".*" + TempMarker + "*"))
        {
            var name = Path.GetFileName(file);
            var rest = name[(name.IndexOf(TempMarker, StringComparison.Ordinal) + TempMarker.Length)..];
            int lastDash = rest.LastIndexOf('-');
            if (lastDash <= 0 || !TempOwner.TryParse(rest[..lastDash], out var owner)) continue;
            if (!owner.IsStale(File.GetLastWriteTimeUtc(file), now)) continue;
            TryDelete(file);
            removed++;
        }
        return removed;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static class Libc
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        internal static extern int fsync(int fd);

        [DllImport("libc")]
        internal static extern int close(int fd);

        [DllImport("libc", SetLastError = true)]
        internal static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
    }
}
