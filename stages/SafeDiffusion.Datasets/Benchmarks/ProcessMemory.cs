using System.Globalization;

namespace SafeDiffusion.Datasets.Benchmarks;

/// <summary>
/// Resident memory of this process from /proc (Linux). The peak (VmHWM) can be reset between measurements by
/// writing 5 to /proc/self/clear_refs; where that is not allowed a sampler's maximum stands in for it.
/// </summary>
internal static class ProcessMemory
{
    public static long CurrentRss()
    {
        long kb = ReadStatusKb("VmRSS:");
        return kb > 0 ? kb * 1024 : Environment.WorkingSet;
    }

    public static long? PeakRss()
    {
        long kb = ReadStatusKb("VmHWM:");
        return kb > 0 ? kb * 1024 : null;
    }

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

    private static long ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
                var digits = line[key.Length..].Trim().Split(' ')[0];
                return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Samples RSS every few milliseconds until disposed; <see cref="Max"/> is the highest seen.</summary>
    public sealed class Sampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _max;

        public Sampler()
        {
            _max = CurrentRss();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var now = CurrentRss();
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
