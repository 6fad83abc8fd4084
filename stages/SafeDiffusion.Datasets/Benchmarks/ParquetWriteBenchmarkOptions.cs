using SafeDiffusion.Datasets.Parts;

namespace SafeDiffusion.Datasets.Benchmarks;

/// <summary>What <see cref="ParquetWriteBenchmark"/> writes: defaults are the 10,000 rows of ~64 KiB PNG-sized payloads.</summary>
public sealed record ParquetWriteBenchmarkOptions
{
    public int Rows { get; init; } = 10_000;

    /// <summary>Bytes in each row's image column: random, so they do not compress (like PNGs).</summary>
    public int PayloadBytes { get; init; } = 64 * 1024;

    public int RowGroupRows { get; init; } = ParquetPartWriterOptions.Default.RowGroupRows;

    public int RowsPerPart { get; init; } = ParquetPartWriterOptions.Default.RowsPerPart;

    public PartCompression Compression { get; init; } = ParquetPartWriterOptions.Default.Compression;

    /// <summary>Measured runs of each writer, alternating so drift in the machine hits both alike.</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>Rows of an unmeasured first run of each writer (JIT, pools, page cache).</summary>
    public int WarmupRows { get; init; } = 512;

    /// <summary>Where the files go (deleted after each run); a fresh temp folder when null.</summary>
    public string? Directory { get; init; }
}
