using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Runs;

/// <summary>
/// An exclusive, OS-level lock on a run folder, so two processes never write one run. The kernel drops it when the
/// holder dies, so a killed run never leaves a run locked.
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;

    private RunLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Takes the lock; <paramref name="modes"/> (default <see cref="RunFileModes.Default"/>) is given to its files.</summary>
    /// <exception cref="PipelineException">Another process holds it (exit code <see cref="ExitCodes.Locked"/>).</exception>
    public static RunLock Acquire(string runDirectory, RunFileModes? modes = null)
    {
        var path = System.IO.Path.Combine(runDirectory, ".lock");
        var ownerPath = path + ".owner";
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "another process";
            throw new PipelineException(
                $"Run folder {runDirectory} is in use by {owner} (pid host started). Wait for it to finish, or use another run.",
                ExitCodes.Locked);
        }
        try
        {
            var fileModes = modes ?? RunFileModes.Default;
            File.WriteAllText(ownerPath, $"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow:O}\n");
            fileModes.ApplyToFile(path);
            fileModes.ApplyToFile(ownerPath);
            return new RunLock(stream, path);
        }
        catch
        {
            // The lock is taken: any failure after it must let it go, or the run stays locked for this process's life.
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a live process holds the run's lock. Probing takes the lock for an instant when it is free, which is
    /// harmless: only a run that has already started can hold it, and such a run holds it until it ends.
    /// </summary>
    public static bool IsHeld(string runDirectory)
    {
        var path = System.IO.Path.Combine(runDirectory, ".lock");
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    public void Dispose() => _stream.Dispose();
}
