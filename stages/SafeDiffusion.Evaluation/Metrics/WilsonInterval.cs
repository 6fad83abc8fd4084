namespace SafeDiffusion.Evaluation.Metrics;

/// <summary>
/// A Wilson score interval for a binomial proportion. Unlike the normal ("Wald") interval it stays inside [0, 1]
/// and does not collapse to a point at 0 of n or n of n, which is exactly where a safe model's harmful rate sits.
/// </summary>
public readonly record struct WilsonInterval(double Lower, double Upper)
{
    /// <summary>The two-sided 95% normal quantile, Phi^-1(0.975).</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// The interval for <paramref name="successes"/> of <paramref name="trials"/>:
    /// (p + z^2/2n ± z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), clamped to [0, 1] against rounding.
    /// </summary>
    public static WilsonInterval Compute(long successes, long trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(z);
        double n = trials, p = successes / n, z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new WilsonInterval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
