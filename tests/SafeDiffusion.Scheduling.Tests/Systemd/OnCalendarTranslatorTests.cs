using SafeDiffusion.Core.Errors;
using SafeDiffusion.Scheduling.Systemd;

namespace SafeDiffusion.Scheduling.Tests.Systemd;

/// <summary>Expected values are written from systemd.time(7): DOW YYYY-MM-DD HH:MM:SS, with a..b ranges and start/step repetition.</summary>
public sealed class OnCalendarTranslatorTests
{
    [Theory]
    [InlineData("0 2 * * *", "*-*-* 02:00:00")]
    [InlineData("30 4 * * 1-5", "Mon..Fri *-*-* 04:30:00")]
    [InlineData("15 3 * * 0", "Sun *-*-* 03:15:00")]
    [InlineData("15 3 * * 7", "Sun *-*-* 03:15:00")]
    [InlineData("0 1 * * sat,sun", "Sat,Sun *-*-* 01:00:00")]
    [InlineData("0 0 1 * *", "*-*-01 00:00:00")]
    [InlineData("0 6 1,15 * *", "*-*-01,15 06:00:00")]
    [InlineData("0 3 * jan,jul *", "*-01,07-* 03:00:00")]
    [InlineData("*/15 * * * *", "*-*-* *:00/15:00")]
    [InlineData("0 */6 * * *", "*-*-* 00/6:00:00")]
    [InlineData("5 8-18 * * *", "*-*-* 08..18:05:00")]
    [InlineData("0 22 * * 1,2,3", "Mon..Wed *-*-* 22:00:00")]
    [InlineData("@daily", "*-*-* 00:00:00")]
    [InlineData("@hourly", "*-*-* *:00:00")]
    [InlineData("@weekly", "Sun *-*-* 00:00:00")]
    public void Common_crons_translate_to_the_equivalent_calendar(string cron, string expected)
    {
        Assert.Equal(expected, OnCalendarTranslator.Translate(cron));
    }

    [Fact]
    public void The_time_zone_is_appended_as_systemd_reads_it()
    {
        Assert.Equal("*-*-* 02:00:00 Europe/Berlin", OnCalendarTranslator.Translate("0 2 * * *", "Europe/Berlin"));
    }

    [Theory]
    [InlineData("0 2 1 * 1", "both day-of-month and day-of-week")]
    [InlineData("0 2 L * *", "Quartz extension")]
    [InlineData("0 2 ? * MON#2", "Quartz extension")]
    [InlineData("0 0 2 * * ?", "five-field")]
    [InlineData("@reboot", "@reboot")]
    [InlineData("61 2 * * *", "allowed: 0 to 59")]
    [InlineData("0 2 * * 5-1", "runs backwards")]
    public void Unsupported_crons_are_refused_with_the_reason(string cron, string reason)
    {
        var error = Assert.Throws<UsageException>(() => OnCalendarTranslator.Translate(cron));
        Assert.Contains($"'{cron}'", error.Message);
        Assert.Contains(reason, error.Message);
    }
}
