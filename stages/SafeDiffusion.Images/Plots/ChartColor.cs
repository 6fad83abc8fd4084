namespace SafeDiffusion.Images.Plots;

/// <summary>An RGB colour for chart lines, with a small palette that stays distinguishable on white.</summary>
public readonly record struct ChartColor(byte R, byte G, byte B)
{
    public static readonly ChartColor Blue = new(31, 119, 180);
    public static readonly ChartColor Orange = new(255, 127, 14);
    public static readonly ChartColor Green = new(44, 160, 44);
    public static readonly ChartColor Red = new(214, 39, 40);
    public static readonly ChartColor Purple = new(148, 103, 189);

    public static IReadOnlyList<ChartColor> Palette { get; } = [Blue, Orange, Green, Red, Purple];

    internal ScottPlot.Color ToScottPlot(double alpha = 1) => new ScottPlot.Color(R, G, B).WithAlpha(alpha);
}
