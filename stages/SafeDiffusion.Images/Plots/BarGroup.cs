namespace SafeDiffusion.Images.Plots;

/// <summary>
/// A group of bars side by side, one slot per <see cref="BarSeries"/> (null where that series has no value here),
/// named under the axis with <see cref="Note"/> (e.g. the sample sizes) on the line below. A group marked
/// <see cref="SetApart"/> (a pooled "all" group) is separated from the ones before it by a dashed line.
/// </summary>
public sealed record BarGroup(string Name, string Note, IReadOnlyList<IntervalBar?> Bars)
{
    public bool SetApart { get; init; }
}
