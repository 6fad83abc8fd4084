using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Scheduling.Configuration;

namespace SafeDiffusion.Scheduling.Tests.Configuration;

public sealed class ScheduleConfigTests
{
    private static ScheduleConfig Bind(string yaml)
    {
        var document = ConfigDocument.Parse(yaml, "nightly.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        return ScheduleConfig.Bind(config, document);
    }

    [Fact]
    public void The_schedule_section_binds_with_durations_and_retry()
    {
        var config = Bind("""
            name: nightly
            schedule:
              cron: "15 3 * * *"
              time-zone: Europe/Berlin
              keep-runs: 4
              retry: { attempts: 5, initial-delay: 30s, max-delay: 10m }
              run-on-start-if-missed: false
              shutdown-timeout: 45s
            """);
        Assert.Equal("15 3 * * *", config.Cron);
        Assert.Equal("Europe/Berlin", config.TimeZone);
        Assert.Equal(4, config.KeepRuns);
        Assert.Equal(new RetryConfig { Attempts = 5, InitialDelay = TimeSpan.FromSeconds(30), MaxDelay = TimeSpan.FromMinutes(10) }, config.Retry);
        Assert.False(config.RunOnStartIfMissed);
        Assert.Equal(TimeSpan.FromSeconds(45), config.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromDays(7), config.KeepFailedFor);
    }

    [Fact]
    public void Every_problem_in_the_section_is_reported_with_its_line()
    {
        var error = Assert.Throws<ConfigException>(() => Bind("""
            name: nightly
            schedule:
              cron: "0 2 * *"
              timeZone: Mars/Olympus
              retry: { attempts: 0, initialDelay: 10m, maxDelay: 1m }
            """));
        Assert.Contains(error.Issues, i => i.KeyPath == "schedule.cron" && i.Location.Line == 3 && i.Message.Contains("five-field"));
        Assert.Contains(error.Issues, i => i.KeyPath == "schedule.timeZone" && i.Location.Line == 4);
        Assert.Contains(error.Issues, i => i.KeyPath == "schedule.retry.attempts");
        Assert.Contains(error.Issues, i => i.KeyPath == "schedule.retry.maxDelay");
    }

    [Fact]
    public void A_config_without_a_schedule_is_a_usage_error_with_an_example()
    {
        var error = Assert.Throws<UsageException>(() => Bind("name: plain\n"));
        Assert.Contains("schedule:", error.Message);
        Assert.Contains("cron:", error.Message);
    }
}
