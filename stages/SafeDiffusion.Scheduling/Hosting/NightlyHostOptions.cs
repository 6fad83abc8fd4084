using SafeDiffusion.Scheduling.Configuration;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Hosting;

/// <summary>Everything a scheduler host is built from.</summary>
/// <param name="ConfigSource">The config file the host serves (shown in the status file).</param>
/// <param name="Clock">The clock Quartz and the coordinator read; tests pass a FakeTimeProvider.</param>
/// <param name="Log">Where log lines go (standard error under the CLI).</param>
public sealed record NightlyHostOptions(
    ScheduleConfig Schedule,
    string RunsRoot,
    string ConfigSource,
    IRegenerationRunner Runner,
    TimeProvider Clock,
    TextWriter Log,
    string Version = "unknown");
