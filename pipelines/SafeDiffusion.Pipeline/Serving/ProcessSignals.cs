using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SafeDiffusion.Pipeline.Serving;

/// <summary>Asks a child process to stop the way systemd asks `serve`: SIGTERM, which the CLI turns into a clean cancel.</summary>
internal static class ProcessSignals
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM; where there are no signals (Windows), kills the process outright.</summary>
    public static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows())
        {
            process.Kill(entireProcessTree: true);
            return;
        }
        // A process that has already exited (and been reaped) is not signalled: its id may belong to another one.
        if (!process.HasExited) _ = Libc.kill(process.Id, SigTerm);
    }

    private static class Libc
    {
        [DllImport("libc", SetLastError = true)]
        internal static extern int kill(int pid, int signal);
    }
}
