using System.Collections.Concurrent;
using LLama.Native;

namespace SafeDiffusion.Prompts.Llm;

/// <summary>
/// Where llama.cpp's log goes: nowhere visible, except that the latest warnings and errors are kept so a failed
/// model load or decode can quote what llama.cpp said. llama.cpp has one log callback per process, so this sink
/// is one per process too (<see cref="Shared"/>); routing it is idempotent.
/// </summary>
public sealed class LlamaNativeLog
{
    private const int Capacity = 64;
    private static readonly Lazy<LlamaNativeLog> Instance = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly ConcurrentQueue<string> _problems = new();
    private readonly NativeLogConfig.LLamaLogCallback _callback;

    private LlamaNativeLog() => _callback = Receive;

    /// <summary>The process's sink, routed into llama.cpp on first use (before the native library loads where possible).</summary>
    public static LlamaNativeLog Shared => Instance.Value;

    /// <summary>Routes the native log to the quiet sink. Call before the first LLamaSharp call.</summary>
    public static void EnsureRouted() => _ = Instance.Value;

    /// <summary>The most recent warning and error lines, oldest first.</summary>
    public IReadOnlyList<string> RecentProblems() => _problems.ToArray();

    /// <summary>The most recent problems joined for an error message, or null when there are none.</summary>
    public string? Describe(int lines = 5)
    {
        var recent = RecentProblems();
        return recent.Count == 0 ? null : string.Join(" | ", recent.Skip(Math.Max(0, recent.Count - lines)));
    }

    private void Receive(LLamaLogLevel level, string message)
    {
        if (level is not (LLamaLogLevel.Warning or LLamaLogLevel.Error)) return;
        var text = message.Trim();
        if (text.Length == 0) return;
        _problems.Enqueue(text);
        while (_problems.Count > Capacity && _problems.TryDequeue(out _)) { }
    }

    private static LlamaNativeLog Install()
    {
        var sink = new LlamaNativeLog();
        if (NativeLibraryConfig.LLama.LibraryHasLoaded) NativeLogConfig.llama_log_set(sink._callback);
        else NativeLibraryConfig.All.WithLogCallback(sink._callback);
        return sink;
    }
}
