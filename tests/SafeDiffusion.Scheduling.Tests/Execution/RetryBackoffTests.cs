using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Tests.Execution;

public sealed class RetryBackoffTests
{
    [Fact]
    public void Delays_double_from_the_initial_delay_and_stop_at_the_maximum()
    {
        var retry = new RetryConfig { Attempts = 10, InitialDelay = TimeSpan.FromMinutes(5), MaxDelay = TimeSpan.FromMinutes(30) };
        var delays = Enumerable.Range(1, 6).Select(n => RetryBackoff.DelayAfter(n, retry).TotalMinutes).ToArray();
        Assert.Equal([5.0, 10, 20, 30, 30, 30], delays);
    }

    [Fact]
    public void A_huge_attempt_number_does_not_overflow()
    {
        var retry = new RetryConfig { InitialDelay = TimeSpan.FromDays(1), MaxDelay = TimeSpan.FromDays(2) };
        Assert.Equal(TimeSpan.FromDays(2), RetryBackoff.DelayAfter(99, retry));
    }
}
