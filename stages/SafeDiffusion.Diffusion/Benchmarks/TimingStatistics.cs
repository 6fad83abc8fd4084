namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>Timed iterations in milliseconds, with the summaries a benchmark reports.</summary>
public sealed record TimingStatistics(IReadOnlyList<double> Milliseconds)
{
    public double Mean => Milliseconds.Average();
    public double Min => Milliseconds.Min();
    public double Max => Milliseconds.Max();

    public double Median
    {
        get
        {
            var sorted = Milliseconds.Order().ToList();
            int mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    /// <summary>The same timings divided by <paramref name="divisor"/> (e.g. per image of a batch).</summary>
    public TimingStatistics Per(int divisor) => new(Milliseconds.Select(ms => ms / divisor).ToList());
}
