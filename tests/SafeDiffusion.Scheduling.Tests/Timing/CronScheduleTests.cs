using SafeDiffusion.Core.Errors;
using SafeDiffusion.Scheduling.Timing;

namespace SafeDiffusion.Scheduling.Tests.Timing;

public sealed class CronScheduleTests
{
    [Fact]
    public void Fire_times_follow_the_zone_across_the_spring_daylight_saving_change()
    {
        // Berlin is UTC+1 until 2026-03-29 02:00 local, UTC+2 after: 03:30 local is 02:30Z, then 01:30Z.
        var schedule = CronSchedule.Parse("30 3 * * *", "Europe/Berlin");
        var times = schedule.Upcoming(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero), 3);
        Assert.Equal(
            [
                new DateTimeOffset(2026, 3, 28, 2, 30, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 30, 1, 30, 0, TimeSpan.Zero),
            ],
            times);
    }

    [Fact]
    public void The_last_due_firing_is_the_latest_fire_time_not_after_the_instant()
    {
        var schedule = CronSchedule.Parse("0 2 * * *", "UTC");
        var at = new DateTimeOffset(2026, 5, 10, 7, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 5, 10, 2, 0, 0, TimeSpan.Zero), schedule.LastAtOrBefore(at));
        Assert.Equal(new DateTimeOffset(2026, 5, 10, 2, 0, 0, TimeSpan.Zero), schedule.LastAtOrBefore(new DateTimeOffset(2026, 5, 10, 2, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 5, 9, 2, 0, 0, TimeSpan.Zero), schedule.LastAtOrBefore(new DateTimeOffset(2026, 5, 10, 1, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Cron_day_of_week_zero_and_seven_are_both_sunday()
    {
        var zero = CronSchedule.Parse("0 9 * * 0", "UTC").NextAfter(new DateTimeOffset(2026, 5, 11, 0, 0, 0, TimeSpan.Zero));
        var seven = CronSchedule.Parse("0 9 * * 7", "UTC").NextAfter(new DateTimeOffset(2026, 5, 11, 0, 0, 0, TimeSpan.Zero));
        // 2026-05-11 is a Monday; the next Sunday is the 17th.
        Assert.Equal(new DateTimeOffset(2026, 5, 17, 9, 0, 0, TimeSpan.Zero), zero);
        Assert.Equal(zero, seven);
    }

    [Theory]
    [InlineData("0 0 2 * * ?", "five-field")]
    [InlineData("0 25 * * *", "not a valid crontab")]
    public void A_bad_cron_is_a_usage_error_saying_what_to_write(string cron, string expected)
    {
        var error = Assert.Throws<UsageException>(() => CronSchedule.Parse(cron, "UTC"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_unknown_time_zone_is_a_usage_error()
    {
        var error = Assert.Throws<UsageException>(() => CronSchedule.Parse("0 2 * * *", "Europe/Atlantis"));
        Assert.Contains("Europe/Atlantis", error.Message);
    }
}
