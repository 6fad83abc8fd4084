using System.Globalization;
using System.Runtime.ExceptionServices;

namespace SafeDiffusion.Diffusion.Native;

/// <summary>
/// Runs pieces of torch work at once, each on a thread of its own with its own intra-op thread count
/// (<see cref="TorchThreadLimit"/>). On the small tensors of the tiny world libtorch's intra-op threads scale poorly,
/// so one-thread workers, each sampling a share of a batch, finish it sooner than one call on all the threads.
/// The calling thread only waits, so its own torch settings stay as they were.
/// </summary>
public static class TorchWorkerThreads
{
    /// <summary>
    /// The torch thread count for work that is given none: OMP_NUM_THREADS when it holds a positive whole number (libtorch
    /// honours it too), else the processors this process may use. Unlike <c>torch.get_num_threads()</c> it is the same on
    /// every thread: libtorch sets a thread's count on the thread's first torch call from the process-wide count of that
    /// moment, so a pool thread that first computed while pretraining held the count at one keeps one thread for good.
    /// </summary>
    public static int DefaultCount =>
        int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), NumberStyles.None, CultureInfo.InvariantCulture, out int set) && set > 0
            ? set
            : Environment.ProcessorCount;

    /// <summary>
    /// Runs <paramref name="work"/>(0 .. <paramref name="count"/> - 1) on <paramref name="count"/> new threads, each with
    /// <paramref name="threadsEach"/> torch threads, and returns the results in order. If any piece throws, the results
    /// of the others are handed to <paramref name="discard"/> and the first exception is rethrown.
    /// </summary>
    public static T[] Run<T>(int count, int threadsEach, Func<int, T> work, Action<T>? discard = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsEach, 1);
        ArgumentNullException.ThrowIfNull(work);
        var results = new T[count];
        var succeeded = new bool[count];
        var errors = new ExceptionDispatchInfo?[count];
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try
            {
                TorchThreadLimit.LimitCurrentThread(threadsEach);
                results[i] = work(i);
                succeeded[i] = true;
            }
            catch (Exception e)
            {
                errors[i] = ExceptionDispatchInfo.Capture(e);
            }
        }) { IsBackground = true, Name = $"torch worker {i}" }).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        var first = errors.FirstOrDefault(e => e is not null);
        if (first is null) return results;
        for (int i = 0; i < count; i++)
        {
            if (succeeded[i]) discard?.Invoke(results[i]);
        }
        first.Throw();
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// The rows of a batch of <paramref name="rows"/> that share <paramref name="share"/> of <paramref name="shares"/>
    /// takes: near-equal contiguous slices, larger ones first.
    /// </summary>
    public static (int Start, int Length) Share(int share, int shares, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shares, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(share);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(share, shares);
        int baseLength = rows / shares, extra = rows % shares;
        return (share * baseLength + Math.Min(share, extra), baseLength + (share < extra ? 1 : 0));
    }
}
