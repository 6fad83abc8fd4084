using System.Diagnostics;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Serving;

/// <summary>How to start this same `pipeline` program again, as a child process.</summary>
/// <param name="FileName">The executable: the `pipeline` apphost, or the dotnet host.</param>
/// <param name="LeadingArguments">Arguments before the command's own (pipeline.dll under the dotnet host).</param>
internal sealed record PipelineProgram(string FileName, IReadOnlyList<string> LeadingArguments)
{
    /// <summary>
    /// The running program: its own executable when that is the `pipeline` apphost (or a single-file build, which
    /// has no separate pipeline.dll); otherwise (`dotnet pipeline.dll`, a test host) the dotnet host with the
    /// pipeline.dll this code was loaded from, which is the same build whatever the process's entry point is.
    /// </summary>
    public static PipelineProgram Current()
    {
        var process = Environment.ProcessPath;
        var assembly = typeof(CliHost).Assembly.Location;
        if (process is not null && (IsNamed(process, "pipeline") || assembly.Length == 0)) return new(process, []);
        var host = process is not null && IsNamed(process, "dotnet") ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } fromCli ? fromCli
            : "dotnet";
        return new(host, [assembly]);
    }

    public ProcessStartInfo StartInfo(IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(FileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in LeadingArguments.Concat(arguments)) start.ArgumentList.Add(argument);
        return start;
    }

    private static bool IsNamed(string path, string name) =>
        string.Equals(Path.GetFileNameWithoutExtension(path), name, StringComparison.OrdinalIgnoreCase);
}
