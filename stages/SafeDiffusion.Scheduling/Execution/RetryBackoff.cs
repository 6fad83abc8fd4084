using SafeDiffusion.Scheduling.Configuration;

namespace SafeDiffusion.Scheduling.Execution;

/// <summary>Exponential backoff: the wait before try n+1 is initialDelay * 2^(n-1), capped at maxDelay. No jitter: one host, one job.</summary>
public static class RetryBackoff
{
    /// <param name="failedAttempt">The try that just failed, from 1.</param>
    public static TimeSpan DelayAfter(int failedAttempt, RetryConfig retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var factor = Math.Pow(2, Math.Min(failedAttempt - 1, 40));
        var ticks = retry.InitialDelay.Ticks * factor;
        return ticks >= retry.MaxDelay.Ticks ? retry.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
