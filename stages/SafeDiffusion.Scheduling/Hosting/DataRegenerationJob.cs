using System.Globalization;
using Microsoft.Extensions.Hosting;
using Quartz;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Scheduling.Hosting;

/// <summary>
/// The Quartz job behind the schedule: hands each firing to the <see cref="RegenerationCoordinator"/>. Never two at
/// once (Quartz holds back a firing while one runs; the coordinator then skips it as stale rather than running a
/// queued copy). The host's stopping token cancels the run.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DataRegenerationJob(RegenerationCoordinator coordinator, IHostApplicationLifetime lifetime) : IJob
{
    public static readonly JobKey Key = new("data-regeneration", "safediffusion");
    public static readonly TriggerKey ScheduleKey = new("nightly", "safediffusion");

    internal const string TriggerData = "trigger";
    internal const string ScheduledData = "scheduled-fire-utc";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        var trigger = data.TryGetValue(TriggerData, out var t) && t is string text && Enum.TryParse<RunTrigger>(text, out var parsed)
            ? parsed
            : RunTrigger.Scheduled;
        var scheduled = data.TryGetValue(ScheduledData, out var s) && s is string iso
            ? DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        context.Result = await coordinator.FireAsync(new Firing(trigger, scheduled), stop.Token).ConfigureAwait(false);
    }

    /// <summary>Job data for a one-off firing (the catch-up of a missed one).</summary>
    internal static JobDataMap DataFor(Firing firing) => new()
    {
        [TriggerData] = firing.Trigger.ToString(),
        [ScheduledData] = firing.ScheduledFireUtc.ToString("O", CultureInfo.InvariantCulture),
    };
}
