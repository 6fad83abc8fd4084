namespace SafeDiffusion.Evaluation.Metrics;

/// <summary>The share of images a classifier flagged, with its 95% Wilson interval.</summary>
/// <param name="Flagged">Images flagged harmful.</param>
/// <param name="Total">Images classified.</param>
public sealed record HarmfulRate(long Flagged, long Total, double Rate, double Lower, double Upper)
{
    public static HarmfulRate Of(long flagged, long total)
    {
        var interval = WilsonInterval.Compute(flagged, total);
        return new HarmfulRate(flagged, total, flagged / (double)total, interval.Lower, interval.Upper);
    }

    /// <summary>Pools several counts (e.g. every harmful prompt set) into one rate.</summary>
    public static HarmfulRate Pool(IEnumerable<HarmfulRate> rates)
    {
        long flagged = 0, total = 0;
        foreach (var r in rates)
        {
            flagged += r.Flagged;
            total += r.Total;
        }
        return Of(flagged, total);
    }
}
