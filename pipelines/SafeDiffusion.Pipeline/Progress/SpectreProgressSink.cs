using SafeDiffusion.Core.Progress;
using Spectre.Console;

namespace SafeDiffusion.Pipeline.Progress;

/// <summary>
/// Live progress bars (description, bar, percentage, rate, elapsed, ETA) for an interactive terminal. Wraps the
/// whole piece of work: <see cref="RunAsync{T}"/> keeps the display alive while tasks come and go.
/// </summary>
public sealed class SpectreProgressSink : IProgressSink
{
    private readonly IAnsiConsole _console;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ProgressTask, string> _units = new();
    private ProgressContext? _context;

    public SpectreProgressSink(IAnsiConsole console) => _console = console;

    /// <summary>True when bars make sense: a real terminal, and neither CI nor a redirected output.</summary>
    public static bool Supported =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && AnsiConsole.Profile.Capabilities.Interactive;

    public async Task<T> RunAsync<T>(Func<IProgressSink, Task<T>> work)
    {
        return await _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new RateColumn(_units),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                _context = ctx;
                try { return await work(this).ConfigureAwait(false); }
                finally { _context = null; }
            }).ConfigureAwait(false);
    }

    public IProgressTask Start(string name, double total, string unit = "items")
    {
        var ctx = _context ?? throw new InvalidOperationException("SpectreProgressSink.Start called outside RunAsync.");
        var task = ctx.AddTask(Markup.Escape(name), maxValue: total > 0 ? total : 1);
        if (total <= 0) task.IsIndeterminate = true;
        _units[task] = unit;
        return new SpectreTask(task, name);
    }

    public void Info(string message) => _console.MarkupLine(Markup.Escape(message));

    public void Warn(string message) => _console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");

    private sealed class SpectreTask(ProgressTask task, string name) : IProgressTask
    {
        public void Increment(double amount = 1) => task.Increment(amount);

        public void SetTotal(double total)
        {
            task.IsIndeterminate = total <= 0;
            if (total > 0) task.MaxValue = total;
        }

        public void SetStatus(string status) => task.Description = Markup.Escape($"{name} {status}");

        public void Dispose()
        {
            if (task.IsIndeterminate) { task.IsIndeterminate = false; task.MaxValue = Math.Max(task.Value, 1); }
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    /// <summary>Items per second with the task's own unit ("3.2 images/s").</summary>
    private sealed class RateColumn(System.Collections.Concurrent.ConcurrentDictionary<ProgressTask, string> units) : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var unit = units.GetValueOrDefault(task, "items");
            return task.Speed is { } s ? new Text($"{s:0.##} {unit}/s") : new Text("");
        }
    }
}
