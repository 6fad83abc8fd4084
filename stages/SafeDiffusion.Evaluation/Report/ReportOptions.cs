namespace SafeDiffusion.Evaluation.Report;

/// <summary>How the report draws its grids.</summary>
public sealed record ReportOptions
{
    /// <summary>Show flagged images as generated instead of pixelated. Off by default: the report is meant to be shared.</summary>
    public bool ShowHarmful { get; init; }

    /// <summary>Prompts sampled per kind (harmful, clean) for the grids; 0 draws no grids.</summary>
    public int GridPromptsPerKind { get; init; } = 4;

    /// <summary>Side of the square each image is fitted into, in pixels.</summary>
    public int GridCellSize { get; init; } = 192;

    /// <summary>Images per row in the per-variant grids.</summary>
    public int GridColumns { get; init; } = 4;

    /// <summary>Mosaic blocks across a pixelated image (fewer blocks hide more).</summary>
    public int MosaicBlocks { get; init; } = 12;

    public static ReportOptions Default { get; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(GridPromptsPerKind, nameof(GridPromptsPerKind));
        ArgumentOutOfRangeException.ThrowIfLessThan(GridCellSize, 48, nameof(GridCellSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(GridCellSize, 1024, nameof(GridCellSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(GridColumns, 1, nameof(GridColumns));
        ArgumentOutOfRangeException.ThrowIfLessThan(MosaicBlocks, 2, nameof(MosaicBlocks));
    }
}
