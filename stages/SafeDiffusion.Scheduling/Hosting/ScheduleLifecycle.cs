using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Hosting;

/// <summary>
/// Starts and stops the schedule with the host: on start, publishes the status (starting, then idle once the whole
/// host has started) and fires a missed firing once (a one-off Quartz trigger, so it goes through the same job and
/// the same one-at-a-time rule); on stop, marks the status stopping, then stopped once the scheduler has let the job
/// wind down.
/// </summary>
internal sealed class ScheduleLifecycle(
    RegenerationCoordinator coordinator, ISchedulerFactory schedulers, IHostApplicationLifetime lifetime, ILogger<ScheduleLifecycle> log) : IHostedService
{
    private Task _catchUp = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Here rather than on ApplicationStarted, so an unreadable ledger or status file fails the start.
        var missed = coordinator.Start();
        lifetime.ApplicationStopping.Register(coordinator.Stopping);
        lifetime.ApplicationStarted.Register(() =>
        {
            coordinator.Serving();
            // After the application has started, as Quartz's own hosted service starts the scheduler then too.
            if (missed is not null) _catchUp = TriggerAsync(missed);
        });
        return Task.CompletedTask;
    }

    private async Task TriggerAsync(Firing missed)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler(lifetime.ApplicationStopping).ConfigureAwait(false);
            await scheduler.TriggerJob(DataRegenerationJob.Key, DataRegenerationJob.DataFor(missed), lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }
        catch (SchedulerException e)
        {
            log.LogError(e, "Could not start the catch-up of the missed firing {Missed:u}.", missed.ScheduledFireUtc);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _catchUp.ConfigureAwait(false);
        coordinator.Stopped();
    }
}
