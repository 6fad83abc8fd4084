namespace SafeDiffusion.Datasets.Benchmarks;

/// <summary>One timed run of one writer.</summary>
/// <param name="PayloadBytes">Image bytes written (the figure MB/s is based on).</param>
/// <param name="FileBytes">Size of what ended up on disk.</param>
/// <param name="StartRssBytes">Resident memory when the run started.</param>
/// <param name="PeakRssBytes">Highest resident memory during the run.</param>
/// <param name="CpuTime">Processor time the whole process used during the run (all threads, user and kernel): less
/// sensitive than <paramref name="Elapsed"/> to other processes competing for the cores.</param>
/// <param name="Gen0Collections">Garbage collections during the run, per generation (a generation-2 collection counts in all three): payloads that live across
/// a collection are copied (promoted), which costs CPU and resident memory.</param>
public sealed record ParquetWriteMeasurement(
    string Writer, int Rows, long PayloadBytes, long FileBytes, TimeSpan Elapsed, TimeSpan CpuTime, long StartRssBytes, long PeakRssBytes,
    int Gen0Collections, int Gen1Collections, int Gen2Collections)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;

    /// <summary>Payload megabytes (10^6 bytes) per second.</summary>
    public double MegabytesPerSecond => PayloadBytes / 1e6 / Elapsed.TotalSeconds;

    /// <summary>How far resident memory rose above where it started.</summary>
    public long PeakRssGrowthBytes => Math.Max(0, PeakRssBytes - StartRssBytes);
}
