using System.Diagnostics;
using Xunit.Abstractions;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>
/// Runs fuzz cases against a reader, one at a time. Every case must end in success or in the project's clear error
/// for bad input; any other exception, a run longer than <see cref="Timeout"/> or more than
/// <see cref="MaxAllocatedBytes"/> allocated while it ran is a failure. The allocation count is the process's (an
/// asynchronous reader moves between threads), so a fuzz test must sit in a collection that does not run in parallel
/// with others: see <see cref="CollectionName"/>. The counts are written to the test output, so a run reports them.
/// </summary>
public static class FuzzRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public const long MaxAllocatedBytes = 1L << 30;

    /// <summary>
    /// The name each test project's non-parallel fuzz collection is defined under
    /// (<c>[CollectionDefinition(FuzzRunner.CollectionName, DisableParallelization = true)]</c>).
    /// </summary>
    public const string CollectionName = "Fuzz (counts the process's allocations)";

    /// <summary>Runs a synchronous reader over the cases; each case runs on its own thread so a hang can be abandoned.</summary>
    /// <param name="exercise">Reads the case as the product would; throws what the product throws.</param>
    /// <param name="isClearError">True for the exceptions that are the product's clear refusal of bad input.</param>
    /// <returns>The counts, also written to <paramref name="output"/> with the first failures.</returns>
    public static FuzzCounts Run(string format, IEnumerable<FuzzCase> cases, Action<FuzzCase> exercise,
        Func<Exception, bool> isClearError, ITestOutputHelper output)
    {
        var tally = new Tally(format, isClearError);
        foreach (var fuzzCase in cases)
        {
            long before = GC.GetTotalAllocatedBytes();
            var clock = Stopwatch.StartNew();
            var run = Task.Factory.StartNew(() => exercise(fuzzCase), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            bool finished = ((IAsyncResult)run).AsyncWaitHandle.WaitOne(Timeout);
            tally.Add(fuzzCase, run, finished, clock.Elapsed, GC.GetTotalAllocatedBytes() - before);
        }
        return tally.Report(output);
    }

    /// <summary>Runs an asynchronous reader over the cases, each started on the thread pool and awaited up to <see cref="Timeout"/>.</summary>
    /// <param name="exercise">Reads the case as the product would; throws (or faults) with what the product throws.</param>
    /// <param name="isClearError">True for the exceptions that are the product's clear refusal of bad input.</param>
    /// <returns>The counts, also written to <paramref name="output"/> with the first failures.</returns>
    public static async Task<FuzzCounts> RunAsync(string format, IEnumerable<FuzzCase> cases, Func<FuzzCase, Task> exercise,
        Func<Exception, bool> isClearError, ITestOutputHelper output)
    {
        var tally = new Tally(format, isClearError);
        foreach (var fuzzCase in cases)
        {
            long before = GC.GetTotalAllocatedBytes();
            var clock = Stopwatch.StartNew();
            var run = Task.Run(() => exercise(fuzzCase));
            bool finished = await Task.WhenAny(run, Task.Delay(Timeout)).ConfigureAwait(false) == run;
            tally.Add(fuzzCase, run, finished, clock.Elapsed, GC.GetTotalAllocatedBytes() - before);
        }
        return tally.Report(output);
    }

    /// <summary>Sorts each finished (or abandoned) case into read, refused or failed.</summary>
    private sealed class Tally(string format, Func<Exception, bool> isClearError)
    {
        private readonly List<string> _failures = [];
        private readonly Stopwatch _total = Stopwatch.StartNew();
        private int _cases, _succeeded, _refused;
        private TimeSpan _slowest;
        private long _mostAllocated;

        public void Add(FuzzCase fuzzCase, Task run, bool finished, TimeSpan elapsed, long allocated)
        {
            _cases++;
            if (!finished)
            {
                // The case's task is left running; the failure names the case so it can be rerun alone.
                _failures.Add($"{fuzzCase}: still running after {Timeout.TotalSeconds:0} s");
                return;
            }
            if (elapsed > _slowest) _slowest = elapsed;
            if (allocated > _mostAllocated) _mostAllocated = allocated;
            var thrown = run.Exception?.InnerException;
            if (allocated > MaxAllocatedBytes)
                _failures.Add($"{fuzzCase}: allocated {allocated >> 20} MiB ({(thrown is null ? "then read" : thrown.GetType().Name)})");
            else if (run.IsCanceled)
                _failures.Add($"{fuzzCase}: cancelled");
            else if (thrown is null) _succeeded++;
            else if (isClearError(thrown)) _refused++;
            else _failures.Add($"{fuzzCase}: {thrown.GetType().FullName}: {thrown.Message}\n{thrown.StackTrace}");
        }

        public FuzzCounts Report(ITestOutputHelper output)
        {
            var counts = new FuzzCounts(format, _cases, _succeeded, _refused, _failures, _slowest, _mostAllocated);
            output.WriteLine($"{counts}; {_total.Elapsed.TotalSeconds:0.0} s in all");
            foreach (var failure in _failures.Take(10)) output.WriteLine(failure);
            return counts;
        }
    }
}
