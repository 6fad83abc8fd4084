using System.Globalization;

namespace SafeDiffusion.Training.Benchmarks;

/// <summary>This process's resident memory now and at its peak, from /proc/self/status (Linux; the working set elsewhere).</summary>
public static class ProcessMemory
{
    public static long ResidentBytes() => ReadKb("VmRSS:") is { } kb ? kb * 1024 : Environment.WorkingSet;

    public static long PeakResidentBytes()
    {
        if (ReadKb("VmHWM:") is { } kb) return kb * 1024;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    private static long? ReadKb(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : null;
        }
        return null;
    }
}
