using System.Globalization;
using System.Text.RegularExpressions;

namespace SafeDiffusion.Core.Configuration;

/// <summary>Durations in config: <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>250ms</c> or <c>hh:mm:ss</c>.</summary>
public static partial class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        var t = text.Trim();
        var m = Pattern().Match(t);
        if (m.Success)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            value = m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
            return true;
        }
        return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)$")]
    private static partial Regex Pattern();
}
