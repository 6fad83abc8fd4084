namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Runs work that resumes from what it has saved again after a failure that says nothing about the work's inputs (a
/// known native race, say), up to <see cref="MaxRetries"/> times; any other failure, and the last transient one, reach
/// the caller unchanged.
/// </summary>
/// <param name="IsTransient">Whether a failure is one that running the same work again can get past.</param>
/// <param name="MaxRetries">How many times to run the work again; 0 runs it once.</param>
public sealed record TransientFailureRetry(Func<Exception, bool> IsTransient, int MaxRetries)
{
    /// <summary>Runs <paramref name="attempt"/> (given the attempt's number, 1 first) until it succeeds or may not retry.</summary>
    /// <param name="beforeRetry">Told the number of the coming retry (1 first) and the failure it follows, before it starts.</param>
    /// <exception cref="OperationCanceledException">Cancellation is never retried.</exception>
    public async Task<T> RunAsync<T>(Func<int, Task<T>> attempt, Action<int, Exception> beforeRetry)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        for (int retry = 0; ; retry++)
        {
            try
            {
                return await attempt(retry + 1).ConfigureAwait(false);
            }
            catch (Exception e) when (retry < MaxRetries && e is not OperationCanceledException && IsTransient(e))
            {
                beforeRetry(retry + 1, e);
            }
        }
    }
}
