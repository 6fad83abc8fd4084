using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Stages;

public sealed class SharedWorkTests
{
    [Fact]
    public async Task Stages_asking_for_the_same_work_at_once_get_one_run_of_it_and_its_producer()
    {
        var shared = new SharedWork();
        var release = new TaskCompletionSource();
        int runs = 0;
        async Task<string> Attack()
        {
            Interlocked.Increment(ref runs);
            await release.Task;
            return "malicious-finetune@lt/base/model";
        }

        var first = shared.OnceAsync("attack:abc", "malicious-finetune@lt", Attack, CancellationToken.None);
        var second = shared.OnceAsync("attack:abc", "malicious-finetune@ng", Attack, CancellationToken.None);
        Assert.False(second.IsCompleted, "the second stage should wait for the first one's work");
        release.SetResult();

        Assert.Equal(new SharedResult<string>("malicious-finetune@lt/base/model", "malicious-finetune@lt"), await first);
        Assert.Equal(new SharedResult<string>("malicious-finetune@lt/base/model", "malicious-finetune@lt"), await second);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task Work_under_another_key_runs_on_its_own()
    {
        var shared = new SharedWork();

        var a = await shared.OnceAsync("images:base-before", "evaluate@lt", () => Task.FromResult(1), CancellationToken.None);
        var b = await shared.OnceAsync("images:safe-before", "evaluate@ng", () => Task.FromResult(2), CancellationToken.None);

        Assert.Equal((1, "evaluate@lt"), (a.Value, a.Producer));
        Assert.Equal((2, "evaluate@ng"), (b.Value, b.Producer));
    }

    [Fact]
    public async Task A_failure_of_the_work_reaches_every_stage_waiting_for_it()
    {
        var shared = new SharedWork();
        var release = new TaskCompletionSource();
        async Task<int> Failing()
        {
            await release.Task;
            throw new InvalidOperationException("out of memory on the base attack");
        }

        var first = shared.OnceAsync("attack:abc", "a", Failing, CancellationToken.None);
        var second = shared.OnceAsync("attack:abc", "b", () => Task.FromResult(7), CancellationToken.None);
        release.SetResult();

        Assert.Equal("out of memory on the base attack", (await Assert.ThrowsAsync<InvalidOperationException>(() => first)).Message);
        Assert.Equal("out of memory on the base attack", (await Assert.ThrowsAsync<InvalidOperationException>(() => second)).Message);
    }

    [Fact]
    public async Task A_waiting_stage_cancelled_on_its_own_leaves_the_work_to_the_others()
    {
        var shared = new SharedWork();
        var release = new TaskCompletionSource();
        using var cancelB = new CancellationTokenSource();
        async Task<int> Work()
        {
            await release.Task;
            return 42;
        }

        var a = shared.OnceAsync("k", "a", Work, CancellationToken.None);
        var b = shared.OnceAsync("k", "b", Work, cancelB.Token);
        await cancelB.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b);
        release.SetResult();
        Assert.Equal(42, (await a).Value);
    }
}
