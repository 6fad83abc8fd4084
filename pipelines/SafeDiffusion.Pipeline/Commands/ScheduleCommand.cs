using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Systemd;
using SafeDiffusion.TinyWorld.Caching;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline schedule systemd --config FILE [--user]`: the schedule as a systemd service + timer pair (a oneshot
/// `pipeline run data` and an OnCalendar timer with Persistent=true), for machines where systemd should own the
/// schedule instead of a resident `pipeline serve`.
/// </summary>
internal static class ScheduleCommand
{
    public static Command Create(CliEnvironment env)
    {
        var config = CommonOptions.Config();
        config.Description = "YAML config with a schedule: section; required.";
        var user = new Option<bool>("--user") { Description = "A user unit (systemctl --user) instead of a system unit." };
        var name = new Option<string>("--name") { Description = "Unit name.", DefaultValueFactory = _ => "safediffusion-nightly", HelpName = "NAME" };
        var outputDir = new Option<string?>("--output-dir") { Description = "Write the .service and .timer files here instead of printing them.", HelpName = "DIR" };
        var systemd = new Command("systemd", "Print a systemd service + timer pair that runs `pipeline run data` on the schedule.") { config, user, name, outputDir };
        systemd.SetAction(parse =>
        {
            var path = parse.GetValue(config) ?? throw new UsageException("`pipeline schedule systemd` needs --config FILE with a schedule: section.");
            var loaded = LoadedConfig.Load(path, [], env.WorkingDirectory);
            var schedule = ScheduleConfig.Bind(loaded.Config, loaded.Document);
            var configFull = env.FullPath(path);
            var pair = SystemdUnitPair.Render(new SystemdUnitRequest(
                parse.GetValue(name)!,
                $"{ProgramCommandLine()} run data --config {Quote(configFull)}",
                env.WorkingDirectory,
                schedule.Cron,
                schedule.TimeZone,
                schedule.ShutdownTimeout,
                parse.GetValue(user),
                Environment.UserName,
                configFull,
                [Path.GetFullPath(loaded.Config.Runs.Root, env.WorkingDirectory), TinyArtifactCache.DefaultRoot()],
                "0" + Convert.ToString(RunFileModes.From(loaded.Config.Runs).Umask, 8).PadLeft(3, '0')));
            if (parse.GetValue(outputDir) is { } dir)
            {
                var full = env.FullPath(dir);
                AtomicFile.WriteAllText(Path.Combine(full, pair.ServiceName), pair.ServiceText);
                AtomicFile.WriteAllText(Path.Combine(full, pair.TimerName), pair.TimerText);
                env.Out.WriteLine($"wrote {Path.Combine(full, pair.ServiceName)} and {Path.Combine(full, pair.TimerName)} (OnCalendar={pair.OnCalendar})");
            }
            else env.Out.Write(pair.Describe(parse.GetValue(user)));
            return 0;
        });
        return new Command("schedule", "Express the config's schedule for another scheduler (systemd).") { systemd };
    }

    /// <summary>How to start this program from a unit: its apphost, or `dotnet pipeline.dll`.</summary>
    private static string ProgramCommandLine()
    {
        var assembly = typeof(ScheduleCommand).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(assembly)!, Path.GetFileNameWithoutExtension(assembly));
        if (File.Exists(apphost)) return Quote(apphost);
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "/usr/bin/dotnet";
        return $"{Quote(dotnet)} {Quote(assembly)}";
    }

    // systemd splits ExecStart= on spaces unless the word is double-quoted.
    private static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
