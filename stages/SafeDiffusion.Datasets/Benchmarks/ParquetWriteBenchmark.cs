using System.Diagnostics;
using System.IO.Compression;
using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Diagnostics;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Benchmarks;

/// <summary>
/// Writes the same image rows with <see cref="ParquetPartWriter{TRow}"/> and with a bare Parquet.Net loop
/// (ParquetWriter, one row-group writer per group, one column array per column, one file, fsync at the end) and
/// reports rows/s, MB/s and peak resident memory of each. Both use Parquet.Net's low-level column API, the same
/// schema, row group size and compression, and both get rows from the same generator, which allocates each
/// payload as the image stage would.
/// </summary>
public static class ParquetWriteBenchmark
{
    public static async Task<ParquetWriteBenchmarkResult> RunAsync(ParquetWriteBenchmarkOptions options, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PayloadBytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repetitions, 1);
        var root = options.Directory ?? Path.Combine(Path.GetTempPath(), $"sdp-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var rows = new RowSource(options.PayloadBytes);
        try
        {
            if (options.WarmupRows > 0)
            {
                var warm = options with { Rows = options.WarmupRows };
                await MeasureAsync("warmup", warm, root, ct, () => WriteBareAsync(warm, rows, root, ct));
                await MeasureAsync("warmup", warm, root, ct, () => WritePartsAsync(warm, rows, root, ct));
            }
            var bare = new List<ParquetWriteMeasurement>();
            var parts = new List<ParquetWriteMeasurement>();
            for (int r = 0; r < options.Repetitions; r++)
            {
                bare.Add(await MeasureAsync("bare", options, root, ct, () => WriteBareAsync(options, rows, root, ct)));
                parts.Add(await MeasureAsync("part-writer", options, root, ct, () => WritePartsAsync(options, rows, root, ct)));
            }
            return new ParquetWriteBenchmarkResult(options, bare, parts);
        }
        finally
        {
            if (options.Directory is null) Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<ParquetWriteMeasurement> MeasureAsync(
        string name, ParquetWriteBenchmarkOptions options, string root, CancellationToken ct, Func<Task<string>> run)
    {
        ct.ThrowIfCancellationRequested();
        // Start each run from the same heap, so one writer's garbage is not billed to the other.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long start = ProcessMemory.ResidentBytes();
        bool peakReset = ProcessMemory.TryResetPeak();
        string output;
        TimeSpan elapsed, cpu;
        long sampled;
        using var process = Process.GetCurrentProcess();
        int[] gcStart = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        await using (var sampler = new ProcessMemory.Sampler())
        {
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            output = await run().ConfigureAwait(false);
            elapsed = clock.Elapsed;
            process.Refresh();
            cpu = process.TotalProcessorTime - cpuStart;
            sampled = sampler.Max;
        }
        long peak = peakReset && ProcessMemory.KernelPeakResidentBytes() is { } hwm ? Math.Max(hwm, sampled) : sampled;
        long fileBytes = File.Exists(output)
            ? new FileInfo(output).Length
            : Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        if (File.Exists(output)) File.Delete(output);
        else Directory.Delete(output, recursive: true);
        return new ParquetWriteMeasurement(name, options.Rows, (long)options.Rows * options.PayloadBytes, fileBytes, elapsed, cpu, start, peak,
            GC.CollectionCount(0) - gcStart[0], GC.CollectionCount(1) - gcStart[1], GC.CollectionCount(2) - gcStart[2]);
    }

    private static async Task<string> WritePartsAsync(ParquetWriteBenchmarkOptions options, RowSource rows, string root, CancellationToken ct)
    {
        var folder = Path.Combine(root, $"parts-{Guid.NewGuid():N}");
        await using var writer = await ParquetPartWriter<ImageRecord>.OpenAsync(folder, ImagesSchema.Instance, new ParquetPartWriterOptions
        {
            RowGroupRows = options.RowGroupRows,
            RowsPerPart = options.RowsPerPart,
            Compression = options.Compression,
        }, ct).ConfigureAwait(false);
        for (int i = 0; i < options.Rows; i++) await writer.WriteAsync(rows.Make(i), ct).ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
        return folder;
    }

    /// <summary>The baseline: what a careful caller writes by hand with Parquet.Net's fastest API.</summary>
    private static async Task<string> WriteBareAsync(ParquetWriteBenchmarkOptions options, RowSource rows, string root, CancellationToken ct)
    {
        var path = Path.Combine(root, $"bare-{Guid.NewGuid():N}.parquet");
        var f = new DataField[]
        {
            new DataField<string>("image_id", nullable: false), new DataField<string>("prompt_id", nullable: false),
            new DataField<string>("text", nullable: false), new DataField<string>("label", nullable: false), new DataField<int>("class"),
            new DataField<string>("category", nullable: false), new DataField<byte[]>("image", nullable: false), new DataField<int>("width"),
            new DataField<int>("height"), new DataField<long>("seed"), new DataField<int>("steps"), new DataField<double>("guidance"),
            new DataField<string>("scheduler", nullable: false), new DataField<string>("model_id", nullable: false),
            new DataField<string>("sha256", nullable: false), new DataField<string>("split", nullable: false),
        };
        var schema = new ParquetSchema(f);
        var parquetOptions = new ParquetOptions
        {
            CompressionMethod = options.Compression switch
            {
                PartCompression.None => CompressionMethod.None,
                PartCompression.Snappy => CompressionMethod.Snappy,
                PartCompression.Gzip => CompressionMethod.Gzip,
                _ => CompressionMethod.Zstd,
            },
            CompressionLevel = CompressionLevel.Optimal,
        };
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, parquetOptions, cancellationToken: ct).ConfigureAwait(false))
        {
            writer.CustomMetadata = SchemaMetadata.For(ImagesSchema.Instance);
            var group = new List<ImageRecord>(options.RowGroupRows);
            for (int i = 0; i < options.Rows; i++)
            {
                group.Add(rows.Make(i));
                if (group.Count == options.RowGroupRows || i == options.Rows - 1)
                {
                    using var rg = writer.CreateRowGroup();
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[0], Column(group, r => r.ImageId.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[1], Column(group, r => r.PromptId.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[2], Column(group, r => r.Text.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[3], Column(group, r => ContractValues.Text(r.Label).AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<int>(f[4], Column(group, r => r.Class), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[5], Column(group, r => r.Category.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<byte>>(f[6], Column(group, r => (ReadOnlyMemory<byte>)r.Png), cancellationToken: ct);
                    await rg.WriteAsync<int>(f[7], Column(group, r => r.Width), cancellationToken: ct);
                    await rg.WriteAsync<int>(f[8], Column(group, r => r.Height), cancellationToken: ct);
                    await rg.WriteAsync<long>(f[9], Column(group, r => r.Seed), cancellationToken: ct);
                    await rg.WriteAsync<int>(f[10], Column(group, r => r.Steps), cancellationToken: ct);
                    await rg.WriteAsync<double>(f[11], Column(group, r => r.Guidance), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[12], Column(group, r => r.Scheduler.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[13], Column(group, r => r.ModelId.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[14], Column(group, r => r.Sha256.AsMemory()), cancellationToken: ct);
                    await rg.WriteAsync<ReadOnlyMemory<char>>(f[15], Column(group, r => ContractValues.Text(r.Split).AsMemory()), cancellationToken: ct);
                    rg.CompleteValidate();
                    group.Clear();
                }
            }
        }
        stream.Flush(flushToDisk: true);
        return path;
    }

    private static ReadOnlyMemory<T> Column<T>(List<ImageRecord> rows, Func<ImageRecord, T> value)
    {
        var values = new T[rows.Count];
        for (int i = 0; i < values.Length; i++) values[i] = value(rows[i]);
        return values;
    }

    /// <summary>
    /// Image rows whose payloads are fresh arrays of random bytes (cut from one random pool and stamped with the row
    /// index, so no two are equal and none compress), with realistic ids and text.
    /// </summary>
    private sealed class RowSource(int payloadBytes)
    {
        private readonly byte[] _pool = RandomPool(Math.Max(4 << 20, payloadBytes * 2));

        private static byte[] RandomPool(int bytes)
        {
            var pool = new byte[bytes];
            new Random(20240501).NextBytes(pool);
            return pool;
        }

        public ImageRecord Make(int i)
        {
            var png = new byte[payloadBytes];
            int offset = (int)((long)i * 7919 % (_pool.Length - payloadBytes));
            _pool.AsSpan(offset, payloadBytes).CopyTo(png);
            BitConverter.TryWriteBytes(png, (long)i);
            var promptId = $"{i / 4:x16}";
            return new ImageRecord(
                ImageRecord.StableId(promptId, "bench-model", i, 0), promptId,
                $"a benchmark prompt number {i} describing a scene in a few words", i % 2 == 0 ? PromptLabel.Clean : PromptLabel.Harmful,
                i % 2 == 0 ? "laion" : "violence", png, 512, 512, i, 50, 7.5, "pndm", "bench-model",
                // A fixed hex string: hashing 640 MB would cost both writers the same and only blur the comparison.
                "0000000000000000000000000000000000000000000000000000000000000000",
                i % 10 == 0 ? DatasetSplit.Holdout : DatasetSplit.Train);
        }
    }
}
