using System.Diagnostics;
using Xunit.Abstractions;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>How the cases of one format ended.</summary>
public sealed record FuzzCounts(string Format, int Cases, int Succeeded, int ClearErrors, IReadOnlyList<string> Failures)
{
    public override string ToString() =>
        $"fuzz {Format}: {Cases} cases, {Succeeded} read, {ClearErrors} refused with a clear error, {Failures.Count} failed";
}

/// <summary>
/// Runs fuzz cases against a reader. Every case must end in success or in the project's clear error for bad input;
/// any other exception, a run longer than <see cref="Timeout"/> or more than <see cref="MaxAllocatedBytes"/>
/// allocated on the case's thread is a failure. The counts are written to the test output, so a run reports them.
/// </summary>
public static class FuzzRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public const long MaxAllocatedBytes = 1L << 30;

    /// <param name="exercise">Reads the case as the product would; throws what the product throws.</param>
    /// <param name="isClearError">True for the exceptions that are the product's clear refusal of bad input.</param>
    public static FuzzCounts Run(string format, IEnumerable<FuzzCase> cases, Action<FuzzCase> exercise,
        Func<Exception, bool> isClearError, ITestOutputHelper output)
    {
        int total = 0, succeeded = 0, refused = 0;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        foreach (var fuzzCase in cases)
        {
            total++;
            long allocated = 0;
            Exception? thrown = null;
            var run = Task.Factory.StartNew(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { exercise(fuzzCase); }
                catch (Exception e) { thrown = e; }
                finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!run.Wait(Timeout))
            {
                // The case's thread is left running; the failure names the case so it can be rerun alone.
                failures.Add($"{fuzzCase}: still running after {Timeout.TotalSeconds:0} s");
                continue;
            }
            if (allocated > MaxAllocatedBytes)
                failures.Add($"{fuzzCase}: allocated {allocated >> 20} MiB");
            else if (thrown is null) succeeded++;
            else if (isClearError(thrown)) refused++;
            else failures.Add($"{fuzzCase}: {thrown.GetType().Name}: {thrown.Message}\n{thrown.StackTrace}");
        }
        var counts = new FuzzCounts(format, total, succeeded, refused, failures);
        output.WriteLine($"{counts} in {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var failure in failures.Take(10)) output.WriteLine(failure);
        return counts;
    }
}
