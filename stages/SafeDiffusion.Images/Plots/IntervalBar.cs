namespace SafeDiffusion.Images.Plots;

/// <summary>One bar of an <see cref="IntervalBarChart"/>: its value, the interval drawn as a whisker around it (Lower &lt;= Value &lt;= Upper), and the text written above the whisker.</summary>
public sealed record IntervalBar(double Value, double Lower, double Upper, string Label);
