using System.CommandLine;
using System.Text.Json;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Scheduling.Status;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline status [--runs DIR] [--json]`: what is scheduled (next firings), what is running (run, stage, since),
/// the last success and the last failure with its reason. Reads runs/status.json (written by `pipeline serve`) and
/// the run manifests, so it also reports on runs started by hand, by systemd or by cron.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = CommonOptions.Config();
        config.Description = "Config whose runs.root to report on (default: the built-in tiny profile's, ./runs).";
        var runs = CommonOptions.Runs();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (for monitoring scripts)." };
        var command = new Command("status", "Show the scheduler's state, runs in progress, and the last success and failure.") { config, runs, json };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(runs)
                       ?? LoadedConfig.Load(parse.GetValue(config), [], env.WorkingDirectory).Config.Runs.Root;
            var report = StatusReport.Build(env.FullPath(root), DateTimeOffset.UtcNow);
            env.Out.Write(parse.GetValue(json) ? JsonSerializer.Serialize(report, RunManifest.Json) + "\n" : report.Render());
            return 0;
        });
        return command;
    }
}
