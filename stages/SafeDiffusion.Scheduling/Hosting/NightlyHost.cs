using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Quartz;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Execution;
using SafeDiffusion.Scheduling.Runs;
using SafeDiffusion.Scheduling.Status;

namespace SafeDiffusion.Scheduling.Hosting;

/// <summary>
/// The long-lived `pipeline serve` process: a .NET Generic Host (systemd notify and journald priorities when run as
/// a systemd service; SIGTERM and Ctrl+C stop it) with a Quartz scheduler on the RAM store firing the data
/// regeneration job on the schedule's cron, in its time zone.
/// </summary>
public static class NightlyHost
{
    /// <summary>Builds the host; the caller owns the returned lock until the host has stopped.</summary>
    public static (IHost Host, ServeLock Lock) Build(NightlyHostOptions options)
    {
        var serveLock = ServeLock.Acquire(options.RunsRoot);
        try
        {
            // A run the previous host (or a manual run) left "running" when it died is recorded as crashed now.
            foreach (var id in CrashedRuns.MarkAll(new RunStore(options.RunsRoot), options.Clock.GetUtcNow()))
                options.Log.WriteLine($"run {id}: marked crashed ({CrashedRuns.Reason}).");
            return (CreateHost(options), serveLock);
        }
        catch
        {
            serveLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the host until it is stopped (the token, SIGTERM or Ctrl+C). A stop that comes while the host is still
    /// starting ends it as cleanly as a later one: the Generic Host then throws from its start instead of stopping,
    /// so the status is marked stopped here and no error surfaces.
    /// </summary>
    public static async Task RunAsync(IHost host, CancellationToken ct)
    {
        // Resolved first: the host disposes its services when it ends.
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var coordinator = host.Services.GetRequiredService<RegenerationCoordinator>();
        try
        {
            await host.RunAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            coordinator.Stopped();
        }
    }

    private static IHost CreateHost(NightlyHostOptions options)
    {
        var store = new RunStore(options.RunsRoot);
        var schedule = options.Schedule.ToSchedule();
        var host = new HostInfo(Environment.ProcessId, Environment.MachineName, options.Clock.GetUtcNow(), options.ConfigSource, options.Version);
        return new HostBuilder()
            .UseSystemd()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(new LineLoggerProvider(options.Log, SystemdHelpers.IsSystemdService()));
                // Quartz narrates every start and trigger at Information; its warnings and errors still show.
                logging.AddFilter("Quartz", LogLevel.Warning);
                logging.AddFilter("Microsoft", LogLevel.Warning);
            })
            .ConfigureServices(services =>
            {
                services.Configure<HostOptions>(o => o.ShutdownTimeout = options.Schedule.ShutdownTimeout);
                services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
                services.AddSingleton(options.Clock);
                services.AddSingleton(sp => new RegenerationCoordinator(options.Schedule, store, options.Runner, options.Clock,
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("SafeDiffusion.Scheduling.Schedule"), host));
                // Registered before Quartz's hosted service, so it stops after it: "stopped" is written once the job has wound down.
                services.AddHostedService<ScheduleLifecycle>();
                services.AddQuartz(q =>
                {
                    q.UseTimeProvider(options.Clock);
                    q.AddJob<DataRegenerationJob>(j => j.WithIdentity(DataRegenerationJob.Key).StoreDurably(true).DisallowConcurrentExecution(true));
                    q.AddTrigger(t => t
                        .WithIdentity(DataRegenerationJob.ScheduleKey)
                        .ForJob(DataRegenerationJob.Key)
                        .WithDescription($"cron {schedule}")
                        .StartAt(options.Clock.GetUtcNow())
                        .WithSchedule(schedule.ToScheduleBuilder()));
                });
                services.AddQuartzHostedService(o =>
                {
                    // The job sees the stopping token and cancels its run; waiting lets it record that cleanly.
                    o.WaitForJobsToComplete = true;
                });
            })
            .Build();
    }
}
