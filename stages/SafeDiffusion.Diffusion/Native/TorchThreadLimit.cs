using TorchSharp;

namespace SafeDiffusion.Diffusion.Native;

/// <summary>
/// Sets how many intra-op threads the calling OS thread's torch work uses without changing anything for other threads.
/// </summary>
/// <remarks>
/// <c>torch.set_num_threads</c> also sets process-wide state (MKL's global count, libtorch's default for threads that
/// start later, its pthreadpool), so a worker that called it would put every other thread's matrix products on one
/// thread too. Only two per-thread settings are changed here: libgomp's count for this thread (<c>omp_set_num_threads</c>
/// sets the calling thread's own value) and MKL's thread-local count (<c>MKL_Set_Num_Threads_Local</c>). Both are
/// looked up in the <c>libtorch_cpu</c> TorchSharp loaded (its bundled libgomp and statically linked MKL), so they are
/// the copies libtorch's kernels consult. A libtorch without them (macOS, Windows, another build) cannot be limited
/// this way: <see cref="IsAvailable"/> is false there and callers keep to one thread.
/// </remarks>
public static class TorchThreadLimit
{
    // Resolving is a fact about this process's native libraries; Lazy does it once, thread-safely.
    private static readonly Lazy<NativeEntries?> Entries = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether <see cref="LimitCurrentThread"/> works in this process.</summary>
    public static bool IsAvailable => Entries.Value is not null;

    /// <summary>Makes torch calls from the current thread use <paramref name="threads"/> intra-op threads; other threads keep theirs.</summary>
    /// <exception cref="PlatformNotSupportedException">When <see cref="IsAvailable"/> is false.</exception>
    public static void LimitCurrentThread(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var entries = Entries.Value ?? throw new PlatformNotSupportedException(
            "This libtorch does not expose per-thread thread counts (libgomp's omp_set_num_threads).");
        Apply(entries, threads);
    }

    private static void Apply(NativeEntries entries, int threads)
    {
        // libtorch sets a thread's count from its process-wide default on the thread's first torch call; make that call
        // now so that it cannot undo the limit afterwards.
        _ = torch.get_num_threads();
        unsafe
        {
            ((delegate* unmanaged<int, void>)entries.OmpSetNumThreads)(threads);
            if (entries.MklSetLocalThreads != 0) _ = ((delegate* unmanaged<int, int>)entries.MklSetLocalThreads)(threads);
        }
    }

    private static NativeEntries? Resolve()
    {
        LibTorchRuntime.EnsureLoadable();
        nint omp = LibTorchExports.Find("omp_set_num_threads");
        if (omp == 0) return null;
        // The C entry point takes the count by value; the lower-case name is MKL's Fortran one (by reference).
        var entries = new NativeEntries(omp, LibTorchExports.Find("MKL_Set_Num_Threads_Local"));
        return WorksOnAFreshThread(entries) ? entries : null;
    }

    /// <summary>Checks on a throwaway thread that libtorch then reports one thread (the lookup found its libgomp).</summary>
    private static bool WorksOnAFreshThread(NativeEntries entries)
    {
        int seen = 0;
        var probe = new Thread(() =>
        {
            Apply(entries, 1);
            seen = torch.get_num_threads();
        }) { IsBackground = true, Name = "torch thread-limit probe" };
        probe.Start();
        probe.Join();
        return seen == 1;
    }

    private sealed record NativeEntries(nint OmpSetNumThreads, nint MklSetLocalThreads);
}
