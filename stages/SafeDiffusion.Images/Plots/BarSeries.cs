namespace SafeDiffusion.Images.Plots;

/// <summary>What one bar position in every group of an <see cref="IntervalBarChart"/> stands for (a model), named in the legend.</summary>
public sealed record BarSeries(string Name, ChartColor Color);
