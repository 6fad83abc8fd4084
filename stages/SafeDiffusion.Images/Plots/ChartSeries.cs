namespace SafeDiffusion.Images.Plots;

/// <summary>One line of a chart: points (x, y) joined in order; points with a non-finite coordinate are left out.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, ChartColor Color)
{
    internal IEnumerable<(double X, double Y)> FinitePoints =>
        X.Zip(Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second));
}
