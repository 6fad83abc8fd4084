using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Scheduling.Hosting;

/// <summary>
/// <c>runs/.serve.lock</c>: one scheduler host per runs folder. An OS lock, so it vanishes with a killed host, and
/// `pipeline status` can tell a live host from a stale status file by probing it.
/// </summary>
public sealed class ServeLock : IDisposable
{
    public const string FileName = ".serve.lock";
    private readonly FileStream _stream;

    private ServeLock(FileStream stream) => _stream = stream;

    public static ServeLock Acquire(string runsRoot)
    {
        Directory.CreateDirectory(runsRoot);
        var path = Path.Combine(runsRoot, FileName);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var owner = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow:O}\n");
            stream.Write(owner);
            stream.Flush();
            return new ServeLock(stream);
        }
        catch (IOException)
        {
            string owner;
            try { owner = File.ReadAllText(path).Trim(); }
            catch (IOException) { owner = "another process"; }
            throw new PipelineException(
                $"Another `pipeline serve` (pid, host, since: {owner}) already schedules runs in {runsRoot}. " +
                "Stop it first, or give this one another runs folder (--runs DIR).", ExitCodes.Locked);
        }
    }

    /// <summary>Whether a live host holds the lock of <paramref name="runsRoot"/>.</summary>
    public static bool IsHeld(string runsRoot)
    {
        var path = Path.Combine(runsRoot, FileName);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose() => _stream.Dispose();
}
