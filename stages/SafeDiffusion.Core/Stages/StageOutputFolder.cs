using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// A stage's output folder that resumes only like with like: rows an earlier, interrupted execution wrote with the
/// same settings are kept (the writers skip their ids), and anything written with other settings is cleared, so a
/// rerun after a config change never mixes old and new rows.
/// </summary>
public static class StageOutputFolder
{
    public const string MarkerFileName = ".settings";

    /// <returns>True when earlier output with the same settings was kept for resuming.</returns>
    public static bool Prepare(string folder, string settingsHash)
    {
        Directory.CreateDirectory(folder);
        var marker = Path.Combine(folder, MarkerFileName);
        bool same = File.Exists(marker) && File.ReadAllText(marker).Trim() == settingsHash;
        if (!same)
        {
            Clear(folder);
            AtomicFile.WriteAllText(marker, settingsHash + "\n");
        }
        return same && Directory.EnumerateFileSystemEntries(folder).Any(e => Path.GetFileName(e) != MarkerFileName);
    }

    /// <summary>Empties <paramref name="folder"/> (created if missing): nothing written earlier is resumed from it.</summary>
    public static void Clear(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(folder)) File.Delete(file);
        foreach (var dir in Directory.EnumerateDirectories(folder)) Directory.Delete(dir, recursive: true);
    }
}
