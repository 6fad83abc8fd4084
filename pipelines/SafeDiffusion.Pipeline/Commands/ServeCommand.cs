using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Serving;
using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Hosting;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline serve --config FILE`: a resident scheduler that regenerates the data (the <c>data</c> graph) on the
/// config's <c>schedule:</c> cron, one run at a time, with retries, pruning, <c>runs/latest-data</c> and
/// <c>runs/status.json</c>. Stops cleanly on SIGTERM or Ctrl+C.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = CommonOptions.Config();
        config.Description = "YAML config with a schedule: section (e.g. configs/nightly.yaml); required.";
        var set = CommonOptions.Set();
        var runs = CommonOptions.Runs();
        var command = new Command("serve", "Regenerate the data on a schedule (cron in a time zone) until stopped; run it under systemd or in a terminal.")
        {
            config, set, runs,
        };
        command.SetAction((parse, ct) => ExecuteAsync(env, parse.GetValue(config), parse.GetValue(set) ?? [], parse.GetValue(runs), TimeProvider.System, ct));
        return command;
    }

    /// <param name="clock">The scheduler's clock (tests pass a fake one).</param>
    /// <param name="childTestArguments">Extra arguments for every try's child process (tests pass its hidden test hooks).</param>
    internal static async Task<int> ExecuteAsync(CliEnvironment env, string? configPath, IReadOnlyList<string> overrides, string? runsOption,
        TimeProvider clock, CancellationToken ct, IReadOnlyList<string>? childTestArguments = null)
    {
        if (configPath is null)
            throw new UsageException("`pipeline serve` needs --config FILE with a schedule: section (configs/nightly.yaml is an example).");
        var loaded = LoadedConfig.Load(configPath, overrides, env.WorkingDirectory);
        var schedule = ScheduleConfig.Bind(loaded.Config, loaded.Document);
        // Every section is checked now, so a typo stops the host at start rather than failing each night.
        PipelineComposition.BindAll(loaded);
        var runsRoot = env.FullPath(runsOption ?? loaded.Config.Runs.Root);
        // Each try runs in a child process: whatever kills it fails that try, not the host. The child gets most of the
        // host's shutdown timeout to stop, so the host can still record the outcome before its own timeout ends.
        var runner = new ChildRegenerationRunner(
            new ChildRegenerationSettings(env.FullPath(configPath), overrides, env.WorkingDirectory, runsRoot, schedule.ShutdownTimeout * 0.8, childTestArguments ?? []),
            PipelineProgram.Current(), env.Error);
        var (host, serveLock) = NightlyHost.Build(new NightlyHostOptions(schedule, runsRoot, loaded.Document.SourceName, runner, clock, env.Error, CodeVersion.Current));
        using (serveLock)
        using (host)
        {
            var cron = schedule.ToSchedule();
            env.Error.WriteLine($"serving {cron} for {loaded.Document.SourceName}: runs in {runsRoot}, status in {Path.Combine(runsRoot, "status.json")}; " +
                                $"next firing {cron.NextAfter(clock.GetUtcNow()):u}. Stop with Ctrl+C or SIGTERM.");
            await NightlyHost.RunAsync(host, ct).ConfigureAwait(false);
        }
        env.Error.WriteLine("stopped.");
        return ExitCodes.Success;
    }
}
