using System.Globalization;
using System.Text.RegularExpressions;

namespace SafeDiffusion.Core.Configuration;

/// <summary>A memory or file size read from config as <c>8GiB</c>, <c>512MiB</c>, <c>1.5GB</c> or plain bytes.</summary>
public readonly partial record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    public static ByteSize FromGiB(double gib) => new((long)(gib * (1L << 30)));
    public static ByteSize FromMiB(double mib) => new((long)(mib * (1L << 20)));

    public double GiB => Bytes / (double)(1L << 30);
    public double MiB => Bytes / (double)(1L << 20);

    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    public static bool TryParse(string text, out ByteSize size)
    {
        size = default;
        var m = Pattern().Match(text.Trim());
        if (!m.Success) return false;
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        long unit = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1000, "KIB" => 1L << 10,
            "M" or "MB" => 1000_000, "MIB" => 1L << 20,
            "G" or "GB" => 1000_000_000, "GIB" => 1L << 30,
            "T" or "TB" => 1000_000_000_000, "TIB" => 1L << 40,
            _ => 0,
        };
        if (unit == 0) return false;
        size = new ByteSize((long)(value * unit));
        return true;
    }

    public override string ToString() => Bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{GiB:0.##}GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{MiB:0.##}MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{Bytes / 1024.0:0.##}KiB"),
        _ => $"{Bytes}B",
    };

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$")]
    private static partial Regex Pattern();
}
