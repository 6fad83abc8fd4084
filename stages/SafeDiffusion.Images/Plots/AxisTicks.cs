using System.Globalization;

namespace SafeDiffusion.Images.Plots;

/// <summary>Axis ranges rounded out to "nice" tick steps (1, 2 or 5 times a power of ten), and tick labels.</summary>
public static class AxisTicks
{
    /// <summary>The range to draw for data in [min, max] and its tick values, about <paramref name="target"/> of them.</summary>
    public static (double Low, double High, IReadOnlyList<double> Ticks) For(double min, double max, int target = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (max < min) (min, max) = (max, min);
        if (max == min)
        {
            double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }
        double step = NiceStep((max - min) / Math.Max(1, target));
        double low = Math.Floor(min / step) * step, high = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (int i = 0; low + i * step <= high + step * 1e-9; i++) ticks.Add(Clean(low + i * step, step));
        return (low, high, ticks);
    }

    /// <summary>Short label: fixed notation for ordinary magnitudes, scientific for very small or large ones.</summary>
    public static string Label(double value)
    {
        double a = Math.Abs(value);
        if (a == 0) return "0";
        if (a >= 1e5 || a < 1e-3) return value.ToString("0.##e0", CultureInfo.InvariantCulture);
        return value.ToString("G4", CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double raw)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }

    /// <summary>Snaps away floating-point dust (0.30000000000000004 becomes 0.3).</summary>
    private static double Clean(double value, double step) => Math.Abs(value) < step * 1e-9 ? 0 : Math.Round(value / step) * step;
}
