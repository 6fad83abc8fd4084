using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SafeDiffusion.Pipeline.Tests.Support;

/// <summary>
/// `pipeline run full` on configs/tiny-smoke.yaml through the command line, with a private world cache and runs root
/// in <c>dir</c>; asserts it exited 0 and returns the run store and what it printed.
/// </summary>
internal static class SmokeRun
{
    public static async Task<(RunStore Store, string Output)> RunFullAsync(TempDirectory dir, ITestOutputHelper log, params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var config = Path.Combine(RepositoryFolders.Configs, "tiny-smoke.yaml");
        var code = await CliHost.RunAsync(["run", "full", "--config", config, .. extra,
                "--set", $"world.cache={dir.File("cache")}", "--set", $"runs.root={dir.File("runs")}"],
            CliEnvironment.ForTest(output, error, dir.Path));
        log.WriteLine(output.ToString());
        Assert.True(code == 0, error.ToString());
        return (new RunStore(dir.File("runs")), output.ToString());
    }
}
