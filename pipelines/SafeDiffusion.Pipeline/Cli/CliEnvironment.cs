using Spectre.Console;

namespace SafeDiffusion.Pipeline.Cli;

/// <summary>
/// Where a command writes and what it may ask of the terminal. Tests build one over string writers and run
/// commands in-process, exactly as a user's shell would.
/// </summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error, IAnsiConsole Console, bool Interactive, string WorkingDirectory)
{
    /// <summary>
    /// A path argument as the program uses it: absolute (from <see cref="WorkingDirectory"/>), no trailing separator.
    /// Every command passes its path arguments through this once (see <see cref="Core.IO.UserPath.Full"/>).
    /// </summary>
    public string FullPath(string path) => Core.IO.UserPath.Full(path, WorkingDirectory);

    public static CliEnvironment FromConsole() => new(
        System.Console.Out,
        System.Console.Error,
        AnsiConsole.Console,
        Progress.SpectreProgressSink.Supported,
        Directory.GetCurrentDirectory());

    public static CliEnvironment ForTest(StringWriter output, StringWriter error, string workingDirectory) => new(
        output,
        error,
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        }),
        Interactive: false,
        workingDirectory);
}
