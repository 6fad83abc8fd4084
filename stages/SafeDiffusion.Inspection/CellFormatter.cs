using System.Collections;
using System.Globalization;
using SafeDiffusion.Datasets.Inspection;

namespace SafeDiffusion.Inspection;

/// <summary>
/// Turns a query cell into one line of terminal text: long text cut, images as "PNG 64x64, 3.2 KiB", and control
/// characters shown as escapes (<see cref="Escape"/>), so a value read from a file can never drive the terminal.
/// </summary>
public static class CellFormatter
{
    public const int DefaultMaxText = 60;

    public static string Format(object? value, int maxText = DefaultMaxText) => value switch
    {
        null => "null",
        byte[] bytes => DescribeBinary(bytes),
        string s => Cut(s, maxText),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => Cut("{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Format(k, maxText)}: {Format(map[k], maxText)}")) + "}", maxText),
        IEnumerable list => Cut("[" + string.Join(", ", list.Cast<object?>().Select(v => Format(v, maxText))) + "]", maxText),
        _ => Cut(value.ToString() ?? "", maxText),
    };

    /// <summary>"PNG 64x64, 3.2 KiB" for a PNG, "binary, 12 B" for anything else.</summary>
    public static string DescribeBinary(ReadOnlySpan<byte> bytes) =>
        PngHeader.TryReadSize(bytes, out var w, out var h)
            ? string.Create(CultureInfo.InvariantCulture, $"PNG {w}x{h}, {Size(bytes.Length)}")
            : $"binary, {Size(bytes.Length)}";

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };

    /// <summary>One line, at most <paramref name="max"/> characters, ending in "..." when cut; control characters escaped.</summary>
    public static string Cut(string text, int max)
    {
        var oneLine = Escape(text.ReplaceLineEndings(" ").Replace('\t', ' '));
        if (max < 4 || oneLine.Length <= max) return oneLine;
        return oneLine[..(max - 3)] + "...";
    }

    /// <summary>
    /// Text safe to print on a terminal: C0 controls (ESC and the rest), DEL, C1 controls (CSI, OSC, ...) and the
    /// bidirectional overrides that reorder what a line shows become visible escapes (<c>\x1B</c>, <c>\u009B</c>,
    /// <c>\u202E</c>); <c>\n</c>, <c>\r</c> and <c>\t</c> keep their usual spelling. Everything else is unchanged.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = 0;
        while (first < text.Length && !NeedsEscape(text[first])) first++;
        if (first == text.Length) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!NeedsEscape(c)) sb.Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c <= 0x7F) sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is >= '\u007F' and <= '\u009F' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
}
