using System.Diagnostics;
using System.Globalization;

namespace SafeDiffusion.Core.Diagnostics;

/// <summary>
/// Resident memory of this process, from /proc/self/status on Linux (native allocations such as libtorch's count)
/// and from .NET's working set elsewhere. The kernel's peak (VmHWM) can be reset between measurements by writing 5
/// to /proc/self/clear_refs; where that is not allowed a <see cref="Sampler"/>'s maximum stands in for it.
/// </summary>
public static class ProcessMemory
{
    /// <summary>Resident bytes now: VmRSS, else the working set.</summary>
    public static long ResidentBytes() => ReadStatusKb("VmRSS:") is { } kb ? kb * 1024 : Environment.WorkingSet;

    /// <summary>The kernel's peak resident bytes (VmHWM), or null where /proc/self/status does not give it.</summary>
    public static long? KernelPeakResidentBytes() => ReadStatusKb("VmHWM:") is { } kb ? kb * 1024 : null;

    /// <summary>Peak resident bytes: VmHWM, else .NET's peak working set.</summary>
    public static long PeakResidentBytes()
    {
        if (KernelPeakResidentBytes() is { } peak) return peak;
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    /// <summary>Resets the kernel's peak to the current resident size; false where that is not allowed.</summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    private static long? ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                var digits = line[key.Length..].Trim().Split(' ')[0];
                return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) && kb > 0 ? kb : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Samples <see cref="ResidentBytes"/> every few milliseconds until disposed; <see cref="Max"/> is the highest seen.</summary>
    public sealed class Sampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _max;

        public Sampler()
        {
            _max = ResidentBytes();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var now = ResidentBytes();
                    if (now > Interlocked.Read(ref _max)) Interlocked.Exchange(ref _max, now);
                    try { await Task.Delay(5, _stop.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                }
            });
        }

        public long Max => Interlocked.Read(ref _max);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            _stop.Dispose();
        }
    }
}
