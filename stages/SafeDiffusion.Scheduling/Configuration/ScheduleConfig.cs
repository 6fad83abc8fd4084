using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Scheduling.Timing;

namespace SafeDiffusion.Scheduling.Configuration;

/// <summary>
/// The <c>schedule:</c> section: when `pipeline serve` regenerates the data, how it retries, what it keeps and how
/// long it may take to stop.
/// </summary>
public sealed record ScheduleConfig : IValidatableConfig
{
    public const string SectionName = "schedule";

    /// <summary>Five-field crontab expression (minute hour day-of-month month day-of-week), e.g. <c>0 2 * * *</c>.</summary>
    [Required]
    public string Cron { get; init; } = "0 2 * * *";

    /// <summary>IANA time zone the cron is read in, e.g. <c>Europe/Berlin</c>; daylight saving is handled by the zone rules.</summary>
    [Required]
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Successful scheduled data runs to keep; older ones are deleted (never the one <c>latest-data</c> names).</summary>
    [Range(1, 10000)]
    public int KeepRuns { get; init; } = 7;

    /// <summary>Failed or cancelled scheduled runs are kept this long for diagnosis, then deleted.</summary>
    public TimeSpan KeepFailedFor { get; init; } = TimeSpan.FromDays(7);

    public RetryConfig Retry { get; init; } = new();

    /// <summary>On start, run once if a firing was due while the host was down (the last one only, not every missed night).</summary>
    public bool RunOnStartIfMissed { get; init; } = true;

    /// <summary>How long a stop (SIGTERM) waits for the current run to wind down before the process exits anyway.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A try that runs longer than this is cancelled and counts as a transient failure; 0 means no limit.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>The cron in its time zone; valid once the binder has accepted the section.</summary>
    public CronSchedule ToSchedule() => CronSchedule.Parse(Cron, TimeZone);

    /// <summary>Binds a config's <c>schedule:</c> node (reporting every problem with file and line).</summary>
    public static ScheduleConfig Bind(PipelineConfig config, ConfigDocument document)
    {
        if (config.Schedule is null)
            throw new UsageException(
                $"{document.SourceName} has no '{SectionName}:' section, so there is nothing to schedule. Add one, for example:\n" +
                "schedule:\n  cron: \"0 2 * * *\"\n  timeZone: Europe/Berlin\n  keepRuns: 7\n" +
                "(configs/nightly.yaml is a complete example).");
        var binder = new ConfigBinder(document);
        var bound = binder.Bind<ScheduleConfig>(config.Schedule, SectionName);
        binder.ThrowIfAny();
        return bound;
    }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (!string.IsNullOrWhiteSpace(Cron) && !CronSchedule.TryParseCron(Cron, out _, out var cronProblem))
            yield return ("cron", cronProblem!);
        if (!string.IsNullOrWhiteSpace(TimeZone) && !CronSchedule.TryFindTimeZone(TimeZone, out _))
            yield return ("timeZone", $"'{TimeZone}' is not a time zone this machine knows; use an IANA id such as UTC, Europe/Berlin or America/New_York.");
        if (KeepFailedFor < TimeSpan.Zero) yield return ("keepFailedFor", "must not be negative.");
        if (ShutdownTimeout <= TimeSpan.Zero) yield return ("shutdownTimeout", "must be positive, e.g. 2m.");
        if (RunTimeout < TimeSpan.Zero) yield return ("runTimeout", "must not be negative (0 means no limit).");
    }
}
