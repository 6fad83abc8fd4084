using Microsoft.Extensions.Logging;

namespace SafeDiffusion.Scheduling.Hosting;

/// <summary>
/// Log lines to a writer (the terminal's standard error, a test's buffer). Under systemd each line starts with its
/// syslog priority (<c>&lt;6&gt;</c>), which journald turns into the entry's level.
/// </summary>
public sealed class LineLoggerProvider(TextWriter writer, bool journaldPriorities, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, ShortName(categoryName));

    public void Dispose() { }

    private void Write(LogLevel level, string category, string message, Exception? error)
    {
        var prefix = journaldPriorities ? $"<{Priority(level)}>" : "";
        lock (_gate)
        {
            writer.WriteLine($"{prefix}{Label(level)}: {category}: {message}");
            if (error is not null) writer.WriteLine($"{prefix}  {error.GetType().Name}: {error.Message}");
            writer.Flush();
        }
    }

    private static string ShortName(string category) => category[(category.LastIndexOf('.') + 1)..];

    private static int Priority(LogLevel level) => level switch
    {
        LogLevel.Critical => 2,
        LogLevel.Error => 3,
        LogLevel.Warning => 4,
        LogLevel.Information => 6,
        _ => 7,
    };

    private static string Label(LogLevel level) => level switch
    {
        LogLevel.Critical => "critical",
        LogLevel.Error => "error",
        LogLevel.Warning => "warning",
        LogLevel.Information => "info",
        _ => "debug",
    };

    private sealed class LineLogger(LineLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Write(logLevel, category, formatter(state, exception), exception);
        }
    }

    private LogLevel Minimum { get; } = minimum;
}
