namespace SafeDiffusion.Prompts.Writer;

/// <summary>Live counters a run's progress reads while the generation loop updates them.</summary>
internal sealed class GenerationCounters
{
    private int _planned, _started, _completed, _emitted;
    private long _generatedTokens, _promptTokens;

    public int Planned => Volatile.Read(ref _planned);
    public int Started => Volatile.Read(ref _started);
    public int Completed => Volatile.Read(ref _completed);
    public int Emitted => Volatile.Read(ref _emitted);
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    public void AddPlanned(int n) => Interlocked.Add(ref _planned, n);
    public void RequestStarted(int promptTokens)
    {
        Interlocked.Increment(ref _started);
        Interlocked.Add(ref _promptTokens, promptTokens);
    }
    public void RequestCompleted() => Interlocked.Increment(ref _completed);
    public void TokenGenerated() => Interlocked.Increment(ref _generatedTokens);
    public void PromptEmitted() => Interlocked.Increment(ref _emitted);
}
