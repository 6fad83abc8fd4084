using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Scheduling.Execution;

/// <summary>
/// Whether trying again could help. A mistake in the config or the inputs (exit codes 2 and 3: usage, input data)
/// fails the same way every time, so it is reported at once. Everything else is worth another try: I/O errors,
/// a run cut off by its timeout, a stage that failed for another reason (out of device memory, a locked run, a
/// flaky file system), even an unexpected exception, since the number of tries bounds the cost.
/// </summary>
public static class FailureClassifier
{
    /// <param name="timedOut">The run's own timeout fired (a cancellation for that reason is transient).</param>
    public static bool IsTransient(Exception error, bool timedOut = false)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is PipelineException { ExitCode: ExitCodes.Usage or ExitCodes.InputData }) return false;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(inner => !IsTransient(inner, timedOut))) return false;
        }
        if (error is OperationCanceledException) return timedOut;
        return true;
    }
}
