namespace SafeDiffusion.Evaluation.Summary;

/// <summary>
/// How one figure varies across seeds: its mean, its range and its sample standard deviation (n - 1 in the
/// denominator; null with one seed, where it is undefined).
/// </summary>
/// <param name="Count">Seeds that have the figure.</param>
public sealed record SeedSpread(int Count, double Mean, double Min, double Max, double? StandardDeviation)
{
    /// <summary>The spread of <paramref name="values"/>; null when there are none.</summary>
    public static SeedSpread? Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return null;
        double mean = list.Average();
        double? sd = list.Count < 2 ? null : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return new SeedSpread(list.Count, mean, list.Min(), list.Max(), sd);
    }

    /// <summary>The spread of the values present; null when no seed has one.</summary>
    public static SeedSpread? Of(IEnumerable<double?> values) => Of(values.Where(v => v is not null).Select(v => v!.Value));
}
