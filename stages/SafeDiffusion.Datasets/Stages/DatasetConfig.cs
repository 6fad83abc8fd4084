using System.ComponentModel.DataAnnotations;

namespace SafeDiffusion.Datasets.Stages;

/// <summary>The <c>dataset</c> stage's settings.</summary>
public sealed record DatasetConfig
{
    [Range(1, 100000)] public int RowGroupRows { get; init; } = 64;
    [Range(1, 10000000)] public int RowsPerPart { get; init; } = 2048;

    /// <summary>
    /// Memory for ordering the rows by image_id; more rows than this are sorted in runs spilled to disk and merged.
    /// </summary>
    [Range(1, 1048576)] public int SortMemoryMb { get; init; } = 512;

    /// <summary>Fail when the train split lacks clean or harmful rows (safety training needs both).</summary>
    public bool RequireBothClasses { get; init; } = true;
}
