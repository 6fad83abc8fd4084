namespace SafeDiffusion.Core.Progress;

/// <summary>
/// Where long work reports how far it got. On a terminal this draws progress bars with rate and ETA; in CI, in a
/// pipe, or under a scheduler it writes plain, throttled log lines instead.
/// </summary>
public interface IProgressSink
{
    /// <summary>Starts a tracked piece of work; <paramref name="total"/> may be 0 when unknown.</summary>
    IProgressTask Start(string name, double total, string unit = "items");

    /// <summary>A line of information, shown above any progress bars.</summary>
    void Info(string message);

    /// <summary>A warning the user should read, shown above any progress bars.</summary>
    void Warn(string message);
}

public interface IProgressTask : IDisposable
{
    void Increment(double amount = 1);
    void SetTotal(double total);
    /// <summary>A short live status, e.g. the current loss.</summary>
    void SetStatus(string status);
}

/// <summary>Discards everything: for tests and library callers that want silence.</summary>
public sealed class NullProgressSink : IProgressSink
{
    public static NullProgressSink Instance { get; } = new();
    public IProgressTask Start(string name, double total, string unit = "items") => new NullTask();
    public void Info(string message) { }
    public void Warn(string message) { }

    private sealed class NullTask : IProgressTask
    {
        public void Increment(double amount = 1) { }
        public void SetTotal(double total) { }
        public void SetStatus(string status) { }
        public void Dispose() { }
    }
}
