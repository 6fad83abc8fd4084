namespace SafeDiffusion.Core.IO;

/// <summary>Whether the process that left a temp file or folder behind still runs (then its leftovers are not stale).</summary>
public static class ProcessLiveness
{
    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
