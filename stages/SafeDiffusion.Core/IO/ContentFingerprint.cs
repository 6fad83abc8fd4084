using System.Globalization;

namespace SafeDiffusion.Core.IO;

/// <summary>
/// The identity of a file or a folder by what it holds: every file's relative path, length and sha256. Two paths
/// with equal fingerprints hold the same bytes; a rebuilt model or a rewritten data set at the same path gets
/// another fingerprint. Used to key cached results (judged rows, feature statistics) by what produced them.
/// </summary>
public static class ContentFingerprint
{
    /// <summary>The fingerprint of <paramref name="path"/> (a file, or a folder and everything under it).</summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a folder exists at <paramref name="path"/>.</exception>
    public static string Of(string path)
    {
        if (File.Exists(path)) return FileHash.Sha256("file", Describe(path, Path.GetFileName(path)));
        if (!Directory.Exists(path)) throw new FileNotFoundException($"Nothing to fingerprint at {path}.", path);
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(path, f).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => Describe(f.Full, f.Relative));
        return FileHash.Sha256("folder", [.. files]);
    }

    private static string Describe(string file, string name) =>
        $"{name}:{new FileInfo(file).Length.ToString(CultureInfo.InvariantCulture)}:{FileHash.Sha256(file)}";
}
