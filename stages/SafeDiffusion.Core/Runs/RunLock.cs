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

    public static RunLock Acquire(string runDirectory)
    {
        var path = System.IO.Path.Combine(runDirectory, ".lock");
        var ownerPath = path + ".owner";
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(ownerPath, $"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow:O}\n");
            return new RunLock(stream, path);
        }
        catch (IOException)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "another process";
            throw new PipelineException(
                $"Run folder {runDirectory} is in use by {owner} (pid host started). Wait for it to finish, or use another run.",
                ExitCodes.Locked);
        }
    }

    public void Dispose() => _stream.Dispose();
}
