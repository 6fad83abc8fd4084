namespace SafeDiffusion.Images.Plots;

/// <summary>
/// An interval around a line, drawn as a shaded band: at the series' i-th x it spans [Lower[i], Upper[i]] (a
/// confidence interval, or a spread over seeds). Both lists are as long as the series' X.
/// </summary>
public sealed record ChartBand(IReadOnlyList<double> Lower, IReadOnlyList<double> Upper);
