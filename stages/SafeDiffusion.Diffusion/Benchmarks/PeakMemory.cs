using System.Diagnostics;
using System.Globalization;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>
/// The process's peak resident memory, as .NET reports it (<see cref="Process.PeakWorkingSet64"/>) and as the Linux
/// kernel does (<c>VmHWM</c> in /proc/self/status; null elsewhere). Native (libtorch) allocations count in both.
/// </summary>
public sealed record PeakMemory(long PeakWorkingSetBytes, long? VmHwmBytes)
{
    public static PeakMemory Read()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new PeakMemory(process.PeakWorkingSet64, ReadVmHwm());
    }

    private static long? ReadVmHwm()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var parts = line["VmHWM:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)
                ? kb * 1024
                : null;
        }
        return null;
    }
}
