namespace SafeDiffusion.Core.Errors;

/// <summary>
/// A problem the user can fix (bad config, bad input file, wrong arguments). The command line prints its message
/// without a stack trace and exits with <see cref="ExitCode"/>.
/// </summary>
public class PipelineException : Exception
{
    public PipelineException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null)
        : base(message, inner) => ExitCode = exitCode;

    public int ExitCode { get; }
}

/// <summary>Wrong arguments or configuration: exit code 2.</summary>
public class UsageException(string message, Exception? inner = null)
    : PipelineException(message, ExitCodes.Usage, inner);

/// <summary>
/// An input file that cannot be used: names the file, the field where there is one, and the fix.
/// </summary>
public class InputDataException : PipelineException
{
    public InputDataException(string file, string problem, string? field = null, string? fix = null, Exception? inner = null)
        : base(Compose(file, problem, field, fix), ExitCodes.InputData, inner)
    {
        FilePath = file;
        Field = field;
    }

    public string FilePath { get; }
    public string? Field { get; }

    private static string Compose(string file, string problem, string? field, string? fix)
    {
        var where = field is null ? file : $"{file}, {field}";
        return fix is null ? $"{where}: {problem}" : $"{where}: {problem} {fix}";
    }
}

/// <summary>Process exit codes: scripts and schedulers tell a user mistake from a failure by these.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A stage or the program failed for a reason that is not the user's input.</summary>
    public const int Failure = 1;
    /// <summary>Bad command line or configuration.</summary>
    public const int Usage = 2;
    /// <summary>An input file (model folder, dataset, prompt list) is missing or malformed.</summary>
    public const int InputData = 3;
    /// <summary>A check ran and did not pass (e.g. `models verify` outside tolerance).</summary>
    public const int CheckFailed = 4;
    /// <summary>Another process holds the run's lock.</summary>
    public const int Locked = 5;
    /// <summary>Interrupted by Ctrl+C or SIGTERM (128 + SIGINT).</summary>
    public const int Cancelled = 130;
}
