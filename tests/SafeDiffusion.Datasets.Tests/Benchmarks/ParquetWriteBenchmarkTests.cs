using SafeDiffusion.Datasets.Benchmarks;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Benchmarks;

/// <summary>Only that the benchmark runs and reports consistently; how fast is never asserted.</summary>
public sealed class ParquetWriteBenchmarkTests
{
    [Fact]
    public async Task The_benchmark_writes_the_same_rows_both_ways_reports_each_run_and_cleans_up()
    {
        using var dir = new TempDirectory();
        var options = new ParquetWriteBenchmarkOptions
        {
            Rows = 40, PayloadBytes = 2048, RowGroupRows = 8, RowsPerPart = 16, Repetitions = 2, WarmupRows = 8, Directory = dir.Path,
        };

        var result = await ParquetWriteBenchmark.RunAsync(options);

        Assert.Equal(2, result.Bare.Count);
        Assert.Equal(2, result.PartWriter.Count);
        Assert.All(result.Bare.Concat(result.PartWriter), m =>
        {
            Assert.Equal(40, m.Rows);
            Assert.Equal(40L * 2048, m.PayloadBytes);
            // Random payloads do not shrink: the files hold at least the image bytes.
            Assert.True(m.FileBytes >= m.PayloadBytes, $"{m.Writer}: {m.FileBytes} bytes on disk");
            Assert.True(m.PeakRssBytes > 0);
        });
        Assert.Equal(8L * 2048, result.RowGroupPayloadBytes);
        Assert.Contains("part writer throughput / bare", result.Format());
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
