using System.Globalization;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Pipeline.Serving;

/// <summary>
/// A `serve-try` child's exit code turned back into what the scheduler classifies: 2 and 3 (usage, input data)
/// become exceptions with those codes, so the firing is not retried; anything else, death by a signal included,
/// is a failure worth another try.
/// </summary>
internal static class ChildExit
{
    /// <summary>Codes above this are 128 + the number of the signal that killed the process.</summary>
    private const int SignalBase = 128;

    /// <summary>Whether the child ended by its own choice (it recorded the run's outcome) rather than being killed.</summary>
    public static bool IsOrderly(int exitCode) => exitCode is >= 0 and <= SignalBase or Core.Errors.ExitCodes.Cancelled;

    /// <param name="lastError">The child's last `error:` line, which says why in its own words.</param>
    public static PipelineException ToException(int exitCode, string? lastError)
    {
        var why = lastError ?? Describe(exitCode);
        return exitCode switch
        {
            ExitCodes.Usage => new UsageException(why),
            ExitCodes.InputData => new PipelineException(why, ExitCodes.InputData),
            _ when lastError is null || IsOrderly(exitCode) => new PipelineException(why),
            _ => new PipelineException($"{why} ({Describe(exitCode)})"),
        };
    }

    public static string Describe(int exitCode) => exitCode > SignalBase && exitCode < SignalBase + 65
        ? $"the regeneration process was killed by signal {exitCode - SignalBase}{SignalName(exitCode - SignalBase)} (exit code {exitCode.ToString(CultureInfo.InvariantCulture)})"
        : $"the regeneration process exited with code {exitCode.ToString(CultureInfo.InvariantCulture)}";

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT: a native abort)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV: a native crash)",
        15 => " (SIGTERM)",
        _ => "",
    };
}
