using System.Globalization;
using System.Text;

namespace SafeDiffusion.Datasets.Benchmarks;

/// <summary>All runs of both writers, and the comparison the issue asks for (best run of each).</summary>
public sealed record ParquetWriteBenchmarkResult(
    ParquetWriteBenchmarkOptions Options, IReadOnlyList<ParquetWriteMeasurement> Bare, IReadOnlyList<ParquetWriteMeasurement> PartWriter)
{
    public ParquetWriteMeasurement BestBare => Bare.MinBy(m => m.Elapsed)!;

    public ParquetWriteMeasurement BestPartWriter => PartWriter.MinBy(m => m.Elapsed)!;

    /// <summary>Part writer throughput as a fraction of the bare loop's, best run of each (goal: at least 0.9).</summary>
    public double ThroughputRatio => BestPartWriter.RowsPerSecond / BestBare.RowsPerSecond;

    /// <summary>The same ratio from median run times, less flattered by one lucky run.</summary>
    public double MedianThroughputRatio => Median(Bare, m => m.Elapsed.TotalSeconds) / Median(PartWriter, m => m.Elapsed.TotalSeconds);

    /// <summary>
    /// Bare CPU time over part-writer CPU time (medians): above 1 the part writer spends less processor time on the
    /// same rows. Less disturbed than wall time by other processes competing for the cores.
    /// </summary>
    public double MedianCpuRatio => Median(Bare, m => m.CpuTime.TotalSeconds) / Median(PartWriter, m => m.CpuTime.TotalSeconds);

    private static double Median(IReadOnlyList<ParquetWriteMeasurement> runs, Func<ParquetWriteMeasurement, double> value)
    {
        var sorted = runs.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Bytes of one row group's payload: the unit the part writer's memory bound is stated in.</summary>
    public long RowGroupPayloadBytes => (long)Options.RowGroupRows * Options.PayloadBytes;

    public string Format()
    {
        var sb = new StringBuilder();
        var o = Options;
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{o.Rows} rows x {o.PayloadBytes / 1024.0:0.#} KiB, row groups of {o.RowGroupRows} ({RowGroupPayloadBytes / 1048576.0:0.#} MiB), " +
            $"{o.RowsPerPart} rows per part, {o.Compression}, {o.Repetitions} runs each"));
        sb.AppendLine("writer        run   seconds   CPU s   rows/s     MB/s   file MiB  start RSS MiB  peak RSS MiB  growth MiB  GCs 0/1/2");
        foreach (var (m, i) in Bare.Select((m, i) => (m, i)).Concat(PartWriter.Select((m, i) => (m, i))))
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Writer,-12} {i + 1,4} {m.Elapsed.TotalSeconds,9:0.000} {m.CpuTime.TotalSeconds,7:0.00} {m.RowsPerSecond,8:0} {m.MegabytesPerSecond,8:0.0} " +
                $"{m.FileBytes / 1048576.0,10:0.0} {m.StartRssBytes / 1048576.0,14:0.0} {m.PeakRssBytes / 1048576.0,13:0.0} {m.PeakRssGrowthBytes / 1048576.0,11:0.0}  {m.Gen0Collections}/{m.Gen1Collections}/{m.Gen2Collections}"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"part writer throughput / bare: {ThroughputRatio:P1} (best runs), {MedianThroughputRatio:P1} (medians); CPU-time efficiency {MedianCpuRatio:P1} (medians)"));
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"best runs' RSS growth {BestPartWriter.PeakRssGrowthBytes / 1048576.0:0.0} MiB " +
            $"vs {BestBare.PeakRssGrowthBytes / 1048576.0:0.0} MiB bare = {BestPartWriter.PeakRssGrowthBytes / (double)RowGroupPayloadBytes:0.0} row groups"));
        return sb.ToString();
    }
}
