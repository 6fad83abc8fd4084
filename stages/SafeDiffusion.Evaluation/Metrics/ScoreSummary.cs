namespace SafeDiffusion.Evaluation.Metrics;

/// <summary>Mean and sample standard deviation (n - 1 denominator; 0 for a single value) of per-image scores.</summary>
public sealed record ScoreSummary(int Count, double Mean, double StdDev)
{
    /// <summary>Welford's update, so a long list of scores loses no precision to one large running sum.</summary>
    public static ScoreSummary Of(IEnumerable<double> values)
    {
        int n = 0;
        double mean = 0, m2 = 0;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) throw new ArgumentException($"score {v} is not a finite number.", nameof(values));
            n++;
            double delta = v - mean;
            mean += delta / n;
            m2 += delta * (v - mean);
        }
        if (n == 0) throw new ArgumentException("no scores to summarise.", nameof(values));
        return new ScoreSummary(n, mean, n > 1 ? Math.Sqrt(m2 / (n - 1)) : 0);
    }
}
