using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Scheduling.Systemd;

/// <summary>
/// Turns a five-field crontab expression into a systemd <c>OnCalendar=</c> value (systemd.time(7)):
/// <c>0 2 * * *</c> becomes <c>*-*-* 02:00:00</c>, <c>30 4 * * 1-5</c> becomes <c>Mon..Fri *-*-* 04:30:00</c>.
/// </summary>
/// <remarks>
/// Every numeric field is expanded to its set of values and written back as systemd spells it: <c>*</c> for the
/// whole range, <c>start/step</c> for a progression to the end of the range, otherwise a list of values and
/// <c>a..b</c> ranges. Refused, with the reason: Quartz extensions (<c>L</c>, <c>W</c>, <c>#</c>, <c>?</c>, <c>H</c>),
/// <c>@reboot</c>, and a cron restricting both day-of-month and day-of-week, which cron fires on either day but
/// systemd only on days matching both.
/// </remarks>
public static partial class OnCalendarTranslator
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] CronDayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly string[] CronMonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>The OnCalendar value, with <paramref name="timeZone"/> appended when given (systemd reads an IANA id there).</summary>
    public static string Translate(string cron, string? timeZone = null)
    {
        if (!TryTranslate(cron, out var value, out var problem)) throw new UsageException($"Cannot express cron '{cron}' as a systemd timer: {problem}");
        return string.IsNullOrWhiteSpace(timeZone) ? value! : $"{value} {timeZone.Trim()}";
    }

    public static bool TryTranslate(string cron, out string? onCalendar, out string? problem)
    {
        onCalendar = null;
        problem = null;
        var text = cron.Trim();
        switch (text.ToLowerInvariant())
        {
            case "@yearly" or "@annually": onCalendar = "*-01-01 00:00:00"; return true;
            case "@monthly": onCalendar = "*-*-01 00:00:00"; return true;
            case "@weekly": onCalendar = "Sun *-*-* 00:00:00"; return true;
            case "@daily" or "@midnight": onCalendar = "*-*-* 00:00:00"; return true;
            case "@hourly": onCalendar = "*-*-* *:00:00"; return true;
            case "@reboot": problem = "@reboot is not a calendar time; use a systemd service with WantedBy=multi-user.target instead."; return false;
        }
        if (text.StartsWith('@')) { problem = $"unknown macro {text}; use @yearly, @monthly, @weekly, @daily, @hourly or five fields."; return false; }
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            problem = $"it has {fields.Length} field(s); only the five-field crontab form (minute hour day-of-month month day-of-week) translates.";
            return false;
        }
        foreach (var f in fields)
        {
            // Names such as THU or JUL contain the letters; only what is left outside names is an extension.
            var outsideNames = NamePattern().Replace(f, "");
            var bad = outsideNames.FirstOrDefault(c => char.ToUpperInvariant(c) is 'L' or 'W' or '#' or '?' or 'H');
            if (bad != default)
            {
                problem = $"'{f}' uses '{bad}', a Quartz extension systemd calendars cannot express.";
                return false;
            }
        }
        try
        {
            var minutes = Expand(fields[0], 0, 59, null, "minute");
            var hours = Expand(fields[1], 0, 23, null, "hour");
            var days = Expand(fields[2], 1, 31, null, "day-of-month");
            var months = Expand(fields[3], 1, 12, CronMonthNames, "month");
            var weekdays = Expand(fields[4], 0, 7, CronDayNames, "day-of-week");
            // Cron numbers Sunday 0 and 7.
            if (weekdays.Remove(7)) weekdays.Add(0);
            bool daysRestricted = fields[2] != "*";
            bool weekdaysRestricted = fields[4] != "*" && weekdays.Count < 7;
            if (daysRestricted && weekdaysRestricted)
            {
                problem = "it restricts both day-of-month and day-of-week; cron fires when either matches, systemd only when both do. " +
                          "Use two timers (one per day field) or a day-of-week-only schedule.";
                return false;
            }
            var sb = new StringBuilder();
            if (weekdaysRestricted) sb.Append(WeekdayList(weekdays)).Append(' ');
            sb.Append("*-").Append(Component(months, 1, 12)).Append('-').Append(Component(days, 1, 31)).Append(' ');
            sb.Append(Component(hours, 0, 23)).Append(':').Append(Component(minutes, 0, 59)).Append(":00");
            onCalendar = sb.ToString();
            return true;
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
    }

    [GeneratedRegex("SUN|MON|TUE|WED|THU|FRI|SAT|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC", RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();

    /// <summary>The set of values a cron field names.</summary>
    private static SortedSet<int> Expand(string field, int min, int max, string[]? names, string what)
    {
        var values = new SortedSet<int>();
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0) throw new FormatException($"the {what} field '{field}' has an empty list item.");
            var rangeAndStep = part.Split('/');
            if (rangeAndStep.Length > 2) throw new FormatException($"the {what} field '{part}' has more than one '/'.");
            int step = 1;
            if (rangeAndStep.Length == 2 && (!int.TryParse(rangeAndStep[1], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1))
                throw new FormatException($"the {what} field '{part}' has step '{rangeAndStep[1]}'; a step is a whole number from 1.");
            int from, to;
            if (rangeAndStep[0] == "*")
            {
                from = min;
                to = max;
            }
            else if (rangeAndStep[0].Split('-') is { Length: 2 } ends)
            {
                from = Value(ends[0], min, max, names, what);
                to = Value(ends[1], min, max, names, what);
                if (to < from) throw new FormatException($"the {what} range '{rangeAndStep[0]}' runs backwards.");
            }
            else
            {
                from = Value(rangeAndStep[0], min, max, names, what);
                // "5/15" means from 5 to the end of the range in steps of 15, as in Vixie cron.
                to = rangeAndStep.Length == 2 ? max : from;
            }
            for (int v = from; v <= to; v += step) values.Add(v);
        }
        return values;
    }

    private static int Value(string text, int min, int max, string[]? names, string what)
    {
        if (names is not null)
        {
            var index = Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) return index + (names == CronMonthNames ? 1 : 0);
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new FormatException($"the {what} field has '{text}'; allowed: {min} to {max}{(names is null ? "" : $" or {names[0]}..{names[^1]}")}.");
        return v;
    }

    /// <summary>One date or time component: <c>*</c>, <c>start/step</c>, or values and <c>a..b</c> ranges.</summary>
    private static string Component(SortedSet<int> values, int min, int max)
    {
        if (values.Count == max - min + 1) return "*";
        var list = values.ToList();
        if (list.Count >= 3)
        {
            int step = list[1] - list[0];
            bool progression = step > 1 && list.Zip(list.Skip(1)).All(p => p.Second - p.First == step) && list[^1] + step > max;
            if (progression) return $"{list[0]:D2}/{step}";
        }
        return string.Join(',', Runs(list).Select(r => r.From == r.To ? $"{r.From:D2}" : $"{r.From:D2}..{r.To:D2}"));
    }

    private static string WeekdayList(SortedSet<int> days)
    {
        // systemd weeks start on Monday; order the names that way so ranges read naturally.
        var mondayFirst = days.Select(d => (d + 6) % 7).Order().ToList();
        return string.Join(',', Runs(mondayFirst).Select(r =>
            r.From == r.To ? DayNames[(r.From + 1) % 7] : $"{DayNames[(r.From + 1) % 7]}..{DayNames[(r.To + 1) % 7]}"));
    }

    private static IEnumerable<(int From, int To)> Runs(IReadOnlyList<int> sorted)
    {
        int i = 0;
        while (i < sorted.Count)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            // Two neighbours read better as a list than as a range.
            if (j - i == 1) { yield return (sorted[i], sorted[i]); yield return (sorted[j], sorted[j]); }
            else yield return (sorted[i], sorted[j]);
            i = j + 1;
        }
    }
}
