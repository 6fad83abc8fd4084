namespace SafeDiffusion.Prompts.Writer;

/// <summary>Live counters a run's progress reads while the generation loop updates them.</summary>
internal sealed class GenerationCounters
{
    private int _planned, _started, _completed, _emitted, _peakInFlight;
    private long _generatedTokens, _promptTokens, _decodeCalls;

    public int Planned => Volatile.Read(ref _planned);
    public int Started => Volatile.Read(ref _started);
    public int Completed => Volatile.Read(ref _completed);
    public int Emitted => Volatile.Read(ref _emitted);
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);
    public long PromptTokens => Interlocked.Read(ref _promptTokens);
    public long DecodeCalls => Interlocked.Read(ref _decodeCalls);
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public void AddPlanned(int n) => Interlocked.Add(ref _planned, n);
    public void RequestStarted(int promptTokens)
    {
        Interlocked.Increment(ref _started);
        Interlocked.Add(ref _promptTokens, promptTokens);
    }
    public void RequestCompleted() => Interlocked.Increment(ref _completed);
    public void Decoded(int inFlight)
    {
        Interlocked.Increment(ref _decodeCalls);
        if (inFlight > Volatile.Read(ref _peakInFlight)) Volatile.Write(ref _peakInFlight, inFlight);
    }
    public void TokenGenerated() => Interlocked.Increment(ref _generatedTokens);
    public void PromptEmitted() => Interlocked.Increment(ref _emitted);
}
