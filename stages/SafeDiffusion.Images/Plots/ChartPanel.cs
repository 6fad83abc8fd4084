namespace SafeDiffusion.Images.Plots;

/// <summary>A panel of a chart: its own y axis (labelled with <see cref="Title"/>) and the lines drawn on it.</summary>
public sealed record ChartPanel(string Title, IReadOnlyList<ChartSeries> Series);
