using Quartz;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Scheduling.Timing;

/// <summary>
/// A five-field crontab expression read in an IANA time zone (Quartz's parser and calendar arithmetic, so the
/// host's trigger and every fire time this class reports agree, daylight saving included).
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string cron, TimeZoneInfo timeZone, CronExpression expression)
    {
        Cron = cron;
        TimeZone = timeZone;
        _expression = expression;
    }

    public string Cron { get; }
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The IANA id as written in the config.</summary>
    public string TimeZoneId => TimeZone.Id;

    public static CronSchedule Parse(string cron, string timeZoneId)
    {
        if (!TryParseCron(cron, out var expression, out var problem))
            throw new UsageException($"schedule.cron: {problem}");
        if (!TryFindTimeZone(timeZoneId, out var zone))
            throw new UsageException($"schedule.timeZone: '{timeZoneId}' is not a time zone this machine knows; use an IANA id such as Europe/Berlin.");
        return new CronSchedule(cron.Trim(), zone!, expression!.WithTimeZone(zone));
    }

    /// <summary>Parses the crontab form (five fields, day-of-week 0-7 with 0 and 7 Sunday, or @daily-style macros).</summary>
    public static bool TryParseCron(string cron, out CronExpression? expression, out string? problem)
    {
        expression = null;
        problem = null;
        var text = cron.Trim();
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!text.StartsWith('@') && fields.Length != 5)
        {
            problem = $"'{cron}' has {fields.Length} field(s); write the five-field crontab form: minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\" for 02:00 every day.";
            return false;
        }
        try
        {
            if (CronExpression.TryParse(text, CronFormat.Unix, out expression) && expression is not null) return true;
            problem = $"'{cron}' is not a valid crontab expression (minute hour day-of-month month day-of-week).";
        }
        catch (FormatException e)
        {
            problem = $"'{cron}' is not a valid crontab expression: {e.Message}";
        }
        return false;
    }

    public static bool TryFindTimeZone(string id, out TimeZoneInfo? zone)
    {
        zone = null;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The first fire time strictly after <paramref name="instant"/>.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant) => _expression.GetNextValidTimeAfter(instant);

    /// <summary>The last fire time at or before <paramref name="instant"/>: the firing that should have happened by then.</summary>
    public DateTimeOffset? LastAtOrBefore(DateTimeOffset instant) =>
        _expression.IsSatisfiedBy(instant) ? TruncateToSecond(instant) : _expression.GetPreviousValidTimeBefore(instant);

    public IReadOnlyList<DateTimeOffset> Upcoming(DateTimeOffset after, int count)
    {
        var times = new List<DateTimeOffset>(count);
        var cursor = after;
        while (times.Count < count && NextAfter(cursor) is { } next)
        {
            times.Add(next);
            cursor = next;
        }
        return times;
    }

    /// <summary>A Quartz schedule builder for the trigger (time zone stated, misfires fired once now).</summary>
    internal CronScheduleBuilder ToScheduleBuilder() =>
        CronScheduleBuilder.Create(_expression).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);

    public override string ToString() => $"{Cron} ({TimeZoneId})";

    private static DateTimeOffset TruncateToSecond(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);
}
