using System.Collections.Concurrent;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Work that several stages of one graph execution would otherwise repeat, done once. <c>pipeline run compare</c>
/// attacks the same base model with the same rows, seeds and settings in every variant, and generates the same
/// evaluation images from it: the first stage to ask does the work (in its own folder, under its own lease), the
/// others wait for it and use its result.
/// </summary>
/// <remarks>
/// Keys name the work by everything that determines its result (a fingerprint of the inputs and settings), so
/// sharing never changes what a stage gets, only who computes it. Scope is one process: a resumed run redoes shared
/// work in each stage that did not finish, through the stage's own resume. A failure reaches every stage waiting on
/// the work; a waiting stage can still be cancelled on its own.
/// </remarks>
public sealed class SharedWork
{
    private readonly ConcurrentDictionary<string, Shared> _work = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="work"/> unless a stage already started work under <paramref name="key"/>.</summary>
    /// <param name="stage">The asking stage; it becomes the producer when the work is new.</param>
    /// <returns>The result and the stage that produced it (<paramref name="stage"/> when the work ran here).</returns>
    public async Task<SharedResult<T>> OnceAsync<T>(string key, string stage, Func<Task<T>> work, CancellationToken ct)
    {
        var mine = new Shared(stage, new Lazy<Task<object?>>(async () => await work().ConfigureAwait(false),
            LazyThreadSafetyMode.ExecutionAndPublication));
        var entry = _work.GetOrAdd(key, mine);
        var value = await entry.Work.Value.WaitAsync(ct).ConfigureAwait(false);
        return new SharedResult<T>((T)value!, entry.Producer);
    }

    private sealed record Shared(string Producer, Lazy<Task<object?>> Work);
}

/// <param name="Value">The work's result.</param>
/// <param name="Producer">The stage that did the work.</param>
public sealed record SharedResult<T>(T Value, string Producer);
