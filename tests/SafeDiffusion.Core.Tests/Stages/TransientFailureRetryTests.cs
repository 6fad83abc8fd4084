using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Stages;

public sealed class TransientFailureRetryTests
{
    private sealed class Flaky(string message) : Exception(message);

    private static readonly TransientFailureRetry TwoRetriesOnFlaky = new(e => e is Flaky, MaxRetries: 2);

    [Fact]
    public async Task A_transient_failure_is_followed_by_another_attempt_that_can_succeed()
    {
        var seen = new List<int>();
        var told = new List<(int Retry, string Message)>();

        var result = await TwoRetriesOnFlaky.RunAsync(attempt =>
        {
            seen.Add(attempt);
            return attempt < 3 ? throw new Flaky($"race {attempt}") : Task.FromResult("done");
        }, (retry, e) => told.Add((retry, e.Message)));

        Assert.Equal("done", result);
        Assert.Equal([1, 2, 3], seen);
        Assert.Equal([(1, "race 1"), (2, "race 2")], told);
    }

    [Fact]
    public async Task The_last_transient_failure_reaches_the_caller_once_the_retries_are_spent()
    {
        int attempts = 0;
        var e = await Assert.ThrowsAsync<Flaky>(() => TwoRetriesOnFlaky.RunAsync<int>(
            attempt => { attempts++; throw new Flaky($"race {attempt}"); }, (_, _) => { }));

        Assert.Equal(3, attempts);
        Assert.Equal("race 3", e.Message);
    }

    [Fact]
    public async Task Any_other_failure_is_not_retried()
    {
        int attempts = 0;
        await Assert.ThrowsAsync<InvalidDataException>(() => TwoRetriesOnFlaky.RunAsync<int>(
            _ => { attempts++; throw new InvalidDataException("bad row"); }, (_, _) => Assert.Fail("no retry expected")));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task Cancellation_is_never_retried_even_when_the_predicate_would_take_it()
    {
        var retryEverything = new TransientFailureRetry(_ => true, MaxRetries: 5);
        int attempts = 0;
        await Assert.ThrowsAsync<OperationCanceledException>(() => retryEverything.RunAsync<int>(
            _ => { attempts++; throw new OperationCanceledException(); }, (_, _) => { }));
        Assert.Equal(1, attempts);
    }
}
