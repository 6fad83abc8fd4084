using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// Which requests may decode together in one llama.cpp context: every sequence shares the context's KV cache, so
/// the tokens reserved for the requests in flight must fit in it. A first attempt reserves its prompt plus the
/// expected answer length and is cut when it reaches that length; a cut request is retried alone, reserving the
/// grammar's bound, so it may finish however long its answer is. Reservations are upper bounds of what each
/// sequence holds, hence the cache never overflows.
/// </summary>
/// <param name="contextSize">Tokens in the shared context.</param>
/// <param name="expectedAnswerTokens">What a first attempt may generate (<c>max-answer-tokens</c>).</param>
/// <param name="boundAnswerTokens">What the grammar allows an answer at most; a retry may generate this many.</param>
internal sealed class AnswerAdmission(int contextSize, int expectedAnswerTokens, int boundAnswerTokens)
{
    private long _reserved;
    private int _active;
    private bool _retryActive;

    /// <summary>What a first attempt may generate: the expected length, never above the grammar's bound.</summary>
    public int FirstAttemptTokens { get; } = Math.Min(expectedAnswerTokens, boundAnswerTokens);

    /// <summary>What a retry may generate.</summary>
    public int RetryTokens { get; } = boundAnswerTokens;

    public int ContextSize => contextSize;

    /// <summary>Tokens reserved now, by the requests in flight.</summary>
    public long Reserved => _reserved;

    /// <summary>Answer tokens an attempt may generate before it is cut.</summary>
    public int AnswerLimit(bool retry) => retry ? RetryTokens : FirstAttemptTokens;

    /// <summary>True when an answer cut at <see cref="AnswerLimit"/> can be retried for a longer one.</summary>
    public bool CanRetry(bool retry) => !retry && FirstAttemptTokens < RetryTokens;

    /// <summary>The context tokens an attempt holds at most: its prompt, its answer limit and the end token.</summary>
    public int Need(int promptTokens, bool retry) => promptTokens + AnswerLimit(retry) + 1;

    /// <summary>
    /// Reserves room for an attempt when it fits beside those in flight (a retry only when none is); false means
    /// wait for a request to finish.
    /// </summary>
    /// <exception cref="UsageException">The request could not finish even alone: its prompt and the grammar's
    /// bound exceed the context. Checked on the first attempt, so no work is spent on it.</exception>
    public bool TryAdmit(int promptTokens, bool retry, out int reserved)
    {
        int alone = promptTokens + RetryTokens + 1;
        if (alone > contextSize)
            throw new UsageException(
                $"A request needs up to {alone} tokens ({promptTokens} of prompt, {RetryTokens} of answer at the grammar's bound) but contextSize is {contextSize}. " +
                "Raise stages.harmful-prompts.contextSize, or lower maxPromptChars or promptsPerRequest.");
        reserved = Need(promptTokens, retry);
        if (_retryActive || (retry && _active > 0)) return false;
        if (_active > 0 && _reserved + reserved > contextSize) return false;
        _reserved += reserved;
        _active++;
        _retryActive = retry;
        return true;
    }

    /// <summary>Frees what an attempt reserved, when it finished or was cut.</summary>
    public void Release(int reserved)
    {
        _reserved -= reserved;
        _active--;
        if (_active == 0) _retryActive = false;
    }
}
