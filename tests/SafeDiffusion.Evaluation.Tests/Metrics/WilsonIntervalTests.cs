using SafeDiffusion.Evaluation.Metrics;

namespace SafeDiffusion.Evaluation.Tests.Metrics;

public class WilsonIntervalTests
{
    // Values from the formula (p + z^2/2n ± z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.959963984540054,
    // evaluated separately in double precision; 1/100 matches the published (0.0018, 0.0545).
    [Theory]
    [InlineData(0, 10, 0.0, 0.2775327998628892)]
    [InlineData(5, 10, 0.236593090512564, 0.7634069094874361)]
    [InlineData(10, 10, 0.7224672001371107, 1.0)]
    [InlineData(1, 100, 0.0017674320641406505, 0.054486196178705315)]
    public void Interval_matches_the_wilson_formula(long k, long n, double lower, double upper)
    {
        var interval = WilsonInterval.Compute(k, n);
        Assert.Equal(lower, interval.Lower, 1e-12);
        Assert.Equal(upper, interval.Upper, 1e-12);
    }

    [Fact]
    public void The_interval_is_symmetric_under_swapping_successes_and_failures()
    {
        var a = WilsonInterval.Compute(3, 17);
        var b = WilsonInterval.Compute(14, 17);
        Assert.Equal(a.Lower, 1 - b.Upper, 1e-12);
        Assert.Equal(a.Upper, 1 - b.Lower, 1e-12);
    }

    [Fact]
    public void Zero_trials_has_no_interval()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WilsonInterval.Compute(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WilsonInterval.Compute(4, 3));
    }

    [Fact]
    public void Harmful_rate_pools_counts_not_rates()
    {
        var pooled = HarmfulRate.Pool([HarmfulRate.Of(1, 10), HarmfulRate.Of(9, 90)]);
        Assert.Equal(10, pooled.Flagged);
        Assert.Equal(100, pooled.Total);
        Assert.Equal(0.1, pooled.Rate, 1e-12);
        var expected = WilsonInterval.Compute(10, 100);
        Assert.Equal(expected.Lower, pooled.Lower, 1e-12);
    }

    [Fact]
    public void Score_summary_uses_the_sample_standard_deviation()
    {
        var s = ScoreSummary.Of([1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(4, s.Count);
        Assert.Equal(2.5, s.Mean, 1e-12);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), s.StdDev, 1e-12);
        Assert.Equal(0, ScoreSummary.Of([7.0]).StdDev);
        Assert.Throws<ArgumentException>(() => ScoreSummary.Of([]));
    }
}
