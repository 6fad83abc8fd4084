using System.Collections.Concurrent;
using SafeDiffusion.Core.Progress;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

/// <summary>Keeps every task name, status, info and warning a build reports.</summary>
internal sealed class RecordingProgressSink : IProgressSink
{
    public ConcurrentQueue<string> Tasks { get; } = new();
    public ConcurrentQueue<string> Statuses { get; } = new();
    public ConcurrentQueue<string> Infos { get; } = new();
    public ConcurrentQueue<string> Warnings { get; } = new();

    public IProgressTask Start(string name, double total, string unit = "items")
    {
        Tasks.Enqueue(name);
        return new Task(this);
    }

    public void Info(string message) => Infos.Enqueue(message);

    public void Warn(string message) => Warnings.Enqueue(message);

    private sealed class Task(RecordingProgressSink sink) : IProgressTask
    {
        public void Increment(double amount = 1) { }
        public void SetTotal(double total) { }
        public void SetStatus(string status) => sink.Statuses.Enqueue(status);
        public void Dispose() { }
    }
}
