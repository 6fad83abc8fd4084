namespace SafeDiffusion.Images.Plots;

/// <summary>
/// One line of a chart: points (x, y) joined in order, optionally with a shaded <see cref="Band"/> around it (one
/// series per model for the recovery curves). Points with a non-finite coordinate are left out of the line, and
/// points whose band bound is non-finite out of the band.
/// </summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, ChartColor Color)
{
    /// <summary>The interval drawn around the line, or null for a bare line.</summary>
    public ChartBand? Band { get; init; }

    internal IEnumerable<(double X, double Y)> FinitePoints =>
        X.Zip(Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second));

    internal IEnumerable<(double X, double Lower, double Upper)> FiniteBand =>
        Band is null
            ? []
            : X.Zip(Band.Lower, Band.Upper).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && double.IsFinite(p.Third));

    /// <exception cref="ArgumentException">X and Y, or X and the band's bounds, differ in length.</exception>
    internal void Validate()
    {
        if (X.Count != Y.Count) throw new ArgumentException($"series '{Name}' has {X.Count} x values but {Y.Count} y values.");
        if (Band is { } b && (b.Lower.Count != X.Count || b.Upper.Count != X.Count))
            throw new ArgumentException($"series '{Name}' has {X.Count} points but its band has {b.Lower.Count} lower and {b.Upper.Count} upper bounds.");
    }
}
